-- Shared by the attestation wrk scripts: the token, a per-thread random seed, nix32 strings.
token = os.getenv("TOKEN")
local alphabet = "0123456789abcdfghijklmnpqrsvwxyz"
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
end

-- n nixbase32 characters; top2 keeps the top character in range for a 32-byte digest (52
-- characters carry 260 bits, so the first may only be 0 or 1: Cairn refuses bits set beyond 32 bytes).
function nix32(n, top2)
  local t = {}
  for i = 1, n do
    local k = math.random(1, (i == 1 and top2) and 2 or 32)
    t[i] = alphabet:sub(k, k)
  end
  return table.concat(t)
end

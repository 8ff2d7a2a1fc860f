-- POST /api/v1/attestations with 1,000 fresh attestations per request (JSON array of entries).
local token = os.getenv("TOKEN")
local alphabet = "0123456789abcdfghijklmnpqrsvwxyz"
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
end

local function nix32(n, first16)
  local t = {}
  for i = 1, n do
    local k = math.random(1, (i == 1 and first16) and 16 or 32)
    t[i] = alphabet:sub(k, k)
  end
  return table.concat(t)
end

request = function()
  local entries = {}
  for i = 1, 1000 do
    entries[i] = string.format('{"drv_ident":"%s-b","outputs":[{"output_digest":"%s","output_name":"out","output_hash":"sha256:%s","output_sig":""}]}',
      nix32(32), nix32(32), nix32(52, true))
  end
  return wrk.format("POST", "/api/v1/attestations",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "[" .. table.concat(entries, ",") .. "]")
end

-- lila-shaped POST /attestation/{drv} with 1-3 fresh outputs per request.
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
  local n = math.random(1, 3)
  local items = {}
  for i = 1, n do
    items[i] = string.format('{"output_digest":"%s","output_name":"out%d","output_hash":"sha256:%s","output_sig":""}',
      nix32(32), i, nix32(52, true))
  end
  return wrk.format("POST", "/attestation/" .. nix32(32) .. "-bench",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "[" .. table.concat(items, ",") .. "]")
end

-- lila-shaped POST /attestation/{drv} with 1-3 fresh outputs per request.
dofile("bench/attest-common.lua")

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

-- POST /api/v1/attestations with 1,000 fresh attestations per request (JSON array of entries).
dofile("bench/attest-common.lua")

request = function()
  local entries = {}
  for i = 1, 1000 do
    entries[i] = string.format('{"drv_ident":"%s-b","outputs":[{"output_digest":"%s","output_name":"out","output_hash":"sha256:%s","output_sig":""}]}',
      nix32(32), nix32(32), nix32(52, true))
  end
  return wrk.format("POST", "/api/v1/attestations",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "[" .. table.concat(entries, ",") .. "]")
end

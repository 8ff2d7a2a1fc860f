#!/usr/bin/env python3
"""Writes a report of N output paths (a chain-and-fan SBOM) and, per builder, a batch of
attestations for every path; ~5% of paths get a different hash from the third builder.
usage: make-report.py N OUTDIR"""
import json, os, random, sys

n, out = int(sys.argv[1]), sys.argv[2]
alphabet = "0123456789abcdfghijklmnpqrsvwxyz"
rnd = random.Random(n)
# top2: 52 characters carry 260 bits, so the first of a 32-byte digest may only be 0 or 1.
def nix32(k, top2=False):
    return "".join(rnd.choice(alphabet[:2] if (top2 and i == 0) else alphabet) for i in range(k))
paths = [(nix32(32), f"pkg{i}") for i in range(n)]
comps = [{"bom-ref": f"r{i}", "properties": [{"name": "nix:out_path", "value": f"/nix/store/{h}-{name}"},
                                              {"name": "nix:drv_path", "value": f"/nix/store/{nix32(32)}-{name}.drv"}]}
         for i, (h, name) in enumerate(paths[1:], start=1)]
deps = [{"ref": f"r{i}", "dependsOn": [f"r{j}" for j in range(i * 4 + 1, min(n, i * 4 + 5))]} for i in range(n) if i * 4 + 1 < n]
sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5",
        "metadata": {"component": {"bom-ref": "r0", "properties": [{"name": "nix:out_path", "value": f"/nix/store/{paths[0][0]}-{paths[0][1]}"}]}},
        "components": comps, "dependencies": deps}
os.makedirs(out, exist_ok=True)
json.dump(sbom, open(f"{out}/sbom.json", "w"))
good = [nix32(52, True) for _ in range(n)]
for b in range(3):
    with open(f"{out}/batch{b}.ndjson", "w") as f:
        for i, (h, name) in enumerate(paths):
            hsh = good[i] if not (b == 2 and i % 20 == 0) else nix32(52, True)
            f.write(json.dumps({"drv_ident": f"{nix32(32)}-{name}", "outputs": [
                {"output_digest": h, "output_name": name, "output_hash": "sha256:" + hsh, "output_sig": ""}]}) + "\n")

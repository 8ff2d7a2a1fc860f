#!/usr/bin/env bash
# Builds (issue 11): (1) overhead of a trivial build end to end (BuildService: bundle, FUSE
# mount, runc, ingest, cleanup) vs nix-build of an equivalent trivial busybox derivation in a
# chroot store; (2) FUSE sequential read of a 1 GiB input vs the same file from local disk.
# Needs root, runc, /dev/fuse, nix-bin, busybox-static. Not run by the test suite.
# usage: bench/build.sh [WORKDIR=/tmp/cairn-bench-build] [BUILDS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-build}; n=${2:-20}
cp=$(bench/classpath.sh)
mkdir -p "$work/bb"; cp /bin/busybox "$work/bb/busybox"
export NIX_CONFIG="experimental-features = nix-command" XDG_CACHE_HOME="$work/cache"
printf 'cores %s, load %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"

# (1) nix-build: N distinct trivial derivations (distinct names, so none is a cache hit).
rm -rf "$work/store"
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
  cat > "$work/t.nix" <<NIX
derivation { name = "trivial-$i"; system = "x86_64-linux"; builder = "\${./bb}/busybox"; args = [ "sh" "-c" "mkdir \$out" ]; }
NIX
  (cd "$work" && nix-build --store "$work/store" --option sandbox false --no-out-link t.nix >/dev/null 2>&1)
done
end=$(date +%s.%N)
nix=$(echo "($end - $start) / $n" | bc -l)
printf 'nix-build trivial: %.3f s per build\n' "$nix"
ours=$(java -cp "$cp" dev.cairn.build.BuildBench trivial "$n" 2>/dev/null | sed -n 's/^trivial build: \([0-9.]*\) s.*/\1/p')
printf 'cairn trivial:     %.3f s per build (ratio to nix-build %.2f; goal <= 1.5)\n' "$ours" "$(echo "$ours / $nix" | bc -l)"

# (2) FUSE sequential read vs local disk, 1 GiB of random bytes, page cache warm for the local file.
[ -f "$work/big" ] || head -c 1073741824 /dev/urandom > "$work/big"
cat "$work/big" > /dev/null
start=$(date +%s.%N); dd if="$work/big" of=/dev/null bs=1M 2>/dev/null; end=$(date +%s.%N)
local_s=$(echo "$end - $start" | bc -l)
printf 'local read:        %.3f s, %.0f MB/s\n' "$local_s" "$(echo "1073.741824 / $local_s" | bc -l)"
java -cp "$cp" dev.cairn.build.BuildBench fuse "$work/big" 2>/dev/null
# (3) cairn mount of the 121-path synthetic closure (find | wc -l, tar c) needs the closure
# pushed into a server first (nix copy --to http://...); see bench/README.md.

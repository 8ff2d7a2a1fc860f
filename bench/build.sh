#!/usr/bin/env bash
# Builds (issue 11): (1) overhead of a trivial build end to end (BuildService: bundle, FUSE
# mount, runc, ingest, cleanup) vs nix-build of an equivalent trivial busybox derivation in a
# chroot store; (2) FUSE sequential read of a 1 GiB input vs the same file from local disk;
# (3) `cairn mount` of the synthetic closure (../shared/bench/make-closure.sh STORE 120 320:
# 121 paths) pushed into a server with nix copy --to: `find | wc -l` and `tar c | wc -c` over
# the mount vs the same paths on local disk (the chroot store, page cache warm).
# Needs root, runc, /dev/fuse, nix-bin, busybox-static. Not run by the test suite.
# usage: bench/build.sh [WORKDIR=/tmp/cairn-bench-build] [BUILDS=20] [PATHS=120] [MIB=320]
#   BENCH_PARTS="1 2 3" (default) selects parts; a smoke run of (3): BENCH_PARTS=3 bench/build.sh /tmp/x 1 4 8
#   (2) reads the file on a fresh mount BENCH_FUSE_ROUNDS times (default 3: the first includes JIT
#   warm-up), each followed by a second read served from the page cache, and prints the Cairn
#   process's CPU seconds of each; BENCH_FUSE_MIB (default 1024) sizes the file; BENCH_JFR=FILE
#   records a JFR profile of the reads. Java runs as the README says to run the server:
#   with --add-modules jdk.incubator.vector (SIMD BLAKE3 for chunk verification).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-build}; n=${2:-20}; paths=${3:-120}; mib=${4:-320}
parts=${BENCH_PARTS:-1 2 3}
part() { [[ " $parts " == *" $1 "* ]]; }
if part 1 || part 2; then cp=$(bench/classpath.sh); fi
java=(java --add-modules jdk.incubator.vector)
mkdir -p "$work/bb"; cp /bin/busybox "$work/bb/busybox"
export NIX_CONFIG="experimental-features = nix-command" XDG_CACHE_HOME="$work/cache"
printf 'cores %s, load %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"

# (1) nix-build: N distinct trivial derivations (distinct names, so none is a cache hit).
if part 1; then
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
ours=$("${java[@]}" -cp "$cp" dev.cairn.build.BuildBench trivial "$n" 2>/dev/null | sed -n 's/^trivial build: \([0-9.]*\) s.*/\1/p')
printf 'cairn trivial:     %.3f s per build (ratio to nix-build %.2f; goal <= 1.5)\n' "$ours" "$(echo "$ours / $nix" | bc -l)"
fi

# (2) FUSE sequential read vs local disk, 1 GiB of random bytes, page cache warm for the local file.
if part 2; then
fmib=${BENCH_FUSE_MIB:-1024}
[ -f "$work/big" ] && [ "$(stat -c %s "$work/big")" -eq $((fmib << 20)) ] || head -c $((fmib << 20)) /dev/urandom > "$work/big"
cat "$work/big" > /dev/null
start=$(date +%s.%N); dd if="$work/big" of=/dev/null bs=1M 2>/dev/null; end=$(date +%s.%N)
local_s=$(echo "$end - $start" | bc -l)
printf 'local read:        %.3f s, %.0f MB/s\n' "$local_s" "$(echo "$fmib * 1.048576 / $local_s" | bc -l)"
jfr=(); [ -n "${BENCH_JFR:-}" ] && jfr=(-Dcairn.bench.jfr="$BENCH_JFR")
"${java[@]}" "${jfr[@]}" -cp "$cp" dev.cairn.build.BuildBench fuse "$work/big" "${BENCH_FUSE_ROUNDS:-3}" 2>/dev/null
fi

# (3) cairn mount of the synthetic closure vs local disk.
if part 3; then
shared=$(cd .. && pwd)/shared
[ -x "$shared/bench/make-closure.sh" ] || shared=/work/shared
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
port=18092; m="$work/mount"
server=""; mounter=""
stop() {
  [ -n "$mounter" ] && kill "$mounter" 2>/dev/null && wait "$mounter" 2>/dev/null || true
  mountpoint -q "$m" 2>/dev/null && fusermount -uz "$m" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  mounter=""; server=""
}
trap stop EXIT
rm -rf "$work/src" "$work/cairn" "$work/cache" "$m"; mkdir -p "$m"  # cache: nix remembers what a binary cache has
top=$("$shared/bench/make-closure.sh" "$work/src" "$paths" "$mib" | tail -1)
mapfile -t names < <(nix path-info --store "$work/src" -r "$top" | xargs -n1 basename)
echo "closure: $top (${#names[@]} paths)"
source bench/cairn-server-lib.sh
start_cairn "$work" "$port"
nix copy --store "$work/src" --to "http://127.0.0.1:$port?compression=none" --option netrc-file "$work/netrc" "$top"
stop  # cairn mount opens the store itself
java --add-modules jdk.incubator.vector -jar target/cairn.jar mount "$m" 2> "$work/mount.log" &
mounter=$!
for _ in $(seq 1 150); do [ -e "$m/${names[0]}" ] && break; sleep 0.2; done
[ -e "$m/${names[0]}" ] || { cat "$work/mount.log" >&2; exit 1; }
# Each: the same basenames from inside the directory, so the outputs must be identical.
timed() { local s e out; s=$(date +%s.%N); out=$(cd "$1" && "$2"); e=$(date +%s.%N); echo "$out $(echo "$e - $s" | bc -l)"; }
find_n() { find "${names[@]}" | wc -l; }
# --hard-dereference: the mount gives equal contents one inode, which tar would store once as hard links.
tar_n() { tar --hard-dereference -cf - "${names[@]}" | wc -c; }
read -r mf mft < <(timed "$m" find_n)
read -r mt mtt < <(timed "$m" tar_n)
read -r lf lft < <(timed "$work/src/nix/store" find_n)
read -r lt ltt < <(timed "$work/src/nix/store" tar_n)
stop
[ "$mf" = "$lf" ] && [ "$mt" = "$lt" ] || echo "MISMATCH: find $mf vs $lf entries, tar $mt vs $lt bytes" >&2
printf '%-24s %14s %14s %10s %10s %12s\n' "" "local" "cairn mount" "local s" "mount s" "mount/local"
printf '%-24s %14s %14s %10.3f %10.3f %12.2f\n' "find | wc -l (entries)" "$lf" "$mf" "$lft" "$mft" "$(echo "$mft / $lft" | bc -l)"
printf '%-24s %14s %14s %10.3f %10.3f %12.2f\n' "tar c | wc -c (bytes)" "$lt" "$mt" "$ltt" "$mtt" "$(echo "$mtt / $ltt" | bc -l)"
printf 'tar throughput: local %.0f MB/s, cairn mount %.0f MB/s\n' "$(echo "$lt / $ltt / 1000000" | bc -l)" "$(echo "$mt / $mtt / 1000000" | bc -l)"
fi

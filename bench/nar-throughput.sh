#!/usr/bin/env bash
# NAR write (dump), parse (validate + sha256) and restore throughput of Cairn next to
# nix-store --dump / --restore, on the same ~1 GiB tree (a synthetic closure from
# ../shared/bench/make-closure.sh). Best of 3 runs each, page cache warm.
# usage: bench/nar-throughput.sh [WORKDIR=/tmp/cairn-bench-nar] [TOTAL_MIB=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-nar}; mib=${2:-1000}
shared=$(cd .. && pwd)/shared
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
mkdir -p "$work"
if [ ! -d "$work/store/nix/store" ]; then
  "$shared/bench/make-closure.sh" "$work/store" 120 "$mib" 1 >/dev/null
fi
tree="$work/store/nix/store"
bench_cp=$(bench/classpath.sh)
run_java() { java -Xmx512m --add-modules jdk.incubator.vector -cp "$bench_cp" dev.cairn.nix.NarBench "$@"; }
best() { sort -n | head -1; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

nix-store --dump "$tree" > "$work/tree.nar"
size=$(stat -c %s "$work/tree.nar")
echo "tree: $tree, NAR size $size bytes"

nix_dump=$(for i in 1 2 3; do secs sh -c "nix-store --dump '$tree' > /dev/null"; done | best)
our_dump=$(for i in 1 2 3; do run_java dump "$tree" /dev/null | sed 's/.* in \([0-9.]*\) s.*/\1/'; done | best)
nix_restore=$(for i in 1 2 3; do rm -rf "$work/r"; secs sh -c "nix-store --restore '$work/r' < '$work/tree.nar'"; done | best)
our_restore=$(for i in 1 2 3; do chmod -R u+w "$work/r" 2>/dev/null; rm -rf "$work/r"; run_java restore "$work/tree.nar" "$work/r" | sed 's/.* in \([0-9.]*\) s.*/\1/'; done | best)
our_parse=$(for i in 1 2 3; do run_java parse "$work/tree.nar" | sed 's/.* in \([0-9.]*\) s.*/\1/'; done | best)
chmod -R u+w "$work/r" 2>/dev/null; rm -rf "$work/r"

mbps() { echo "scale=0; $size / $1 / 1000000" | bc -l; }
printf '%-34s %8s %8s\n' "operation" "seconds" "MB/s"
printf '%-34s %8.2f %8s\n' "nix-store --dump > /dev/null" "$nix_dump" "$(mbps "$nix_dump")"
printf '%-34s %8.2f %8s\n' "cairn NarWriter.dump > /dev/null" "$our_dump" "$(mbps "$our_dump")"
printf '%-34s %8.2f %8s\n' "nix-store --restore" "$nix_restore" "$(mbps "$nix_restore")"
printf '%-34s %8.2f %8s\n' "cairn NarParser + NarRestorer" "$our_restore" "$(mbps "$our_restore")"
printf '%-34s %8.2f %8s\n' "cairn NarParser validate + sha256" "$our_parse" "$(mbps "$our_parse")"
echo "ratio dump (cairn/nix): $(echo "scale=2; $nix_dump / $our_dump" | bc -l)"
echo "ratio restore (cairn/nix): $(echo "scale=2; $nix_restore / $our_restore" | bc -l)"

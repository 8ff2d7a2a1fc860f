#!/usr/bin/env bash
# castore: ingest of a ~1.3 GB NAR (the synthetic closure of bench/nar-throughput.sh) into a
# fresh embedded store vs nix-store --restore of the same NAR; render back vs nix-store --dump.
# usage: bench/castore.sh [WORKDIR=/tmp/cairn-bench-nar]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-nar}
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
[ -f "$work/tree.nar" ] || { bench/nar-throughput.sh "$work" >/dev/null; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
size=$(stat -c %s "$work/tree.nar")
rm -rf "$work/r"; nix_restore=$(secs sh -c "nix-store --restore '$work/r' < '$work/tree.nar'")
nix_dump=$(secs sh -c "nix-store --dump '$work/r' > /dev/null")
chmod -R u+w "$work/r"; rm -rf "$work/r" "$work/castore"
out=$(java -Xmx1g -cp "$(bench/classpath.sh)" dev.cairn.castore.CastoreBench "$work/tree.nar" "$work/castore")
echo "$out"
ingest=$(echo "$out" | sed -n 's/^ingest: .* in \([0-9.]*\) s.*/\1/p')
render=$(echo "$out" | sed -n 's/^render: .* in \([0-9.]*\) s.*/\1/p')
printf 'NAR %d bytes\n' "$size"
printf 'nix-store --restore  %6.2f s  %5.0f MB/s\n' "$nix_restore" "$(echo "$size / $nix_restore / 1000000" | bc -l)"
printf 'cairn ingest         %6.2f s  %5.0f MB/s  ratio %.2f\n' "$ingest" "$(echo "$size / $ingest / 1000000" | bc -l)" "$(echo "$nix_restore / $ingest" | bc -l)"
printf 'nix-store --dump     %6.2f s  %5.0f MB/s\n' "$nix_dump" "$(echo "$size / $nix_dump / 1000000" | bc -l)"
printf 'cairn render         %6.2f s  %5.0f MB/s  ratio %.2f\n' "$render" "$(echo "$size / $render / 1000000" | bc -l)" "$(echo "$nix_dump / $render" | bc -l)"
rm -rf "$work/castore"

#!/usr/bin/env bash
# castore memory on one large file: ingest of a single-file NAR of SIZE_MIB random bytes into a
# fresh store (file backend, as bench/castore.sh) under /usr/bin/time -v, printing the process's
# peak RSS, the JVM's peak live heap after GC and the ingest rate (wall and per CPU second).
# The heap is capped at -Xmx1g like bench/castore.sh; a flat heap shows as a live set that does
# not grow with SIZE_MIB. The NAR is kept in WORKDIR for further runs.
# usage: bench/castore-large.sh [SIZE_MIB=10240] [WORKDIR=/tmp/cairn-bench-large]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-10240}; work=${2:-/tmp/cairn-bench-large}
cp=$(bench/classpath.sh)
mkdir -p "$work"
nar="$work/single-$mib.nar"
if [ ! -f "$nar" ]; then
  head -c "$((mib * 1024 * 1024))" /dev/urandom > "$work/file"
  nix-store --dump "$work/file" > "$nar"
  rm -f "$work/file"
fi
rm -rf "$work/castore"; mkdir -p "$work/castore"
out=$(/usr/bin/time -v java -Xmx1g --add-modules jdk.incubator.vector -cp "$cp" dev.cairn.castore.IngestBench "$nar" "$work/castore" 2>"$work/time.txt")
rm -rf "$work/castore"
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
printf 'single-file NAR %d bytes, %s cores, load %s\n' "$(stat -c %s "$nar")" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "$out" | grep '^ingest:' | sed 's/ (root.*//'
printf 'ingest peak RSS %d MiB (/usr/bin/time -v, JVM -Xmx1g)\n' "$((rss_kb / 1024))"

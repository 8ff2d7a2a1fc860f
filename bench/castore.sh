#!/usr/bin/env bash
# castore: ingest of the ~1.3 GB NAR of the synthetic closure (bench/nar-throughput.sh) into a
# fresh store vs nix-store --restore of the same NAR; render back vs nix-store --dump, with
# castore.verify_reads always (every chunk read hashed) and once (first read hashed, then
# trusted: the first and a later run are both printed). Runs the store on the file backend, then
# on S3 (s3proxy, filesystem backend, loopback) and prints the ratio S3/file; bench/s3-raw.sh
# gives the S3 server's own ceiling for the same bytes. Then, unless BIG_MIB is 0, ingest and
# render of a single-file NAR of BIG_MIB MiB under `/usr/bin/time -v` with a 256 MiB heap: its
# peak RSS shows the memory stays flat whatever the NAR's size.
# Each figure also gives the process CPU seconds it took (MB per CPU-second: comparable under load).
# usage: bench/castore.sh [WORKDIR=/tmp/cairn-bench-nar] [files|s3|both=both] [TOTAL_MIB=1000] [BIG_MIB=10240]
# smoke run: bench/castore.sh /tmp/cairn-castore-smoke files 40 64
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-nar}; which=${2:-both}; mib=${3:-1000}; big_mib=${4:-10240}
cp=$(bench/classpath.sh)
[ -f "$work/tree.nar" ] || { bench/nar-throughput.sh "$work" "$mib" >/dev/null; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
size=$(stat -c %s "$work/tree.nar")
rm -rf "$work/r"; nix_restore=$(secs sh -c "nix-store --restore '$work/r' < '$work/tree.nar'")
nix_dump=$(for i in 1 2 3; do secs sh -c "nix-store --dump '$work/r' > /dev/null"; done | sort -n | head -1)
chmod -R u+w "$work/r"; rm -rf "$work/r"

bench_java() { java -Xmx1g --add-modules jdk.incubator.vector -cp "$cp" dev.cairn.castore.CastoreBench "$@"; }
field() { # the seconds of lines matching $1 in $2: best (min) of them
  echo "$2" | sed -n "s/^$1: .* in \([0-9.]*\) s = .*/\1/p" | sort -n | head -1
}
cpu() { echo "$2" | sed -n "s/^$1: .* s = [0-9]* MB\/s, \([0-9.]*\) s CPU.*/\1/p" | sort -n | head -1; }
mbps() { echo "$size / $1 / 1000000" | bc -l; }
line() { # label seconds cpu-seconds peer-seconds peer-name
  printf '%-34s %7.2f s %6.0f MB/s %6.2f s CPU %6.0f MB/CPU-s  ratio to %s %.2f\n' \
    "$1" "$2" "$(mbps "$2")" "$3" "$(mbps "$3")" "$5" "$(echo "$4 / $2" | bc -l)"
}
run() { # label blob_store
  rm -rf "$work/castore"
  out=$(CAIRN_CASTORE_BLOB_STORE="$2" bench_java "$work/tree.nar" "$work/castore" 3)
  echo "$out" | sed "s/^/$1: /" >&2
  rm -rf "$work/castore"
  line "$1: ingest" "$(field ingest "$out")" "$(cpu ingest "$out")" "$nix_restore" restore
  line "$1: render, verify always (best)" "$(field 'render always [0-9]*' "$out")" "$(cpu 'render always [0-9]*' "$out")" "$nix_dump" dump
  line "$1: render, verify once, 1st run" "$(field 'render once 1' "$out")" "$(cpu 'render once 1' "$out")" "$nix_dump" dump
  line "$1: render, verify once, trusted" "$(field 'render once [2-9]' "$out")" "$(cpu 'render once [2-9]' "$out")" "$nix_dump" dump
  field 'render always [0-9]*' "$out" > "$work/render-$1"
}
printf 'NAR %d bytes, %s cores, load %s\n' "$size" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'nix-store --restore  %6.2f s  %5.0f MB/s\n' "$nix_restore" "$(mbps "$nix_restore")"
printf 'nix-store --dump     %6.2f s  %5.0f MB/s (best of 3)\n' "$nix_dump" "$(mbps "$nix_dump")"
if [ "$which" != s3 ]; then
  run files ""
fi
if [ "$which" != files ]; then
  source bench/s3proxy-lib.sh
  s3dir="$work/s3"; rm -rf "$s3dir"; mkdir -p "$s3dir"
  start_s3proxy "$s3dir"
  trap 'kill $S3_PID 2>/dev/null; wait $S3_PID 2>/dev/null || true; rm -rf "$s3dir"' EXIT
  s3curl -X PUT "http://127.0.0.1:$S3_PORT/bench" >/dev/null
  export AWS_ACCESS_KEY_ID=cairn AWS_SECRET_ACCESS_KEY=cairnsecret AWS_REGION=us-east-1
  run s3 "s3://bench/castore?endpoint=http://127.0.0.1:$S3_PORT&region=us-east-1&path_style=true"
  if [ "$which" = both ]; then
    printf 'S3/file render (verify always): %.2f\n' "$(echo "$(cat "$work/render-files") / $(cat "$work/render-s3")" | bc -l)"
  fi
fi

if [ "$big_mib" != 0 ]; then
  # One file of BIG_MIB MiB of incompressible, non-repeating bytes as a NAR, written as a stream.
  python3 - "$work/big.nar" "$big_mib" <<'PY'
import os, struct, sys
path, mib = sys.argv[1], int(sys.argv[2])
def tok(b): return struct.pack('<Q', len(b)) + b + b'\0' * (-len(b) % 8)
size = mib << 20
with open(path, 'wb') as f:
    f.write(tok(b'nix-archive-1') + tok(b'(') + tok(b'type') + tok(b'regular') + tok(b'contents') + struct.pack('<Q', size))
    for i in range(mib):
        f.write(os.urandom(1 << 20))
    f.write(tok(b')'))
PY
  rm -rf "$work/castore-big"
  big_out=$( { /usr/bin/time -v java -Xmx256m --add-modules jdk.incubator.vector -cp "$cp" dev.cairn.castore.CastoreBench "$work/big.nar" "$work/castore-big" 1; } 2>&1)
  rm -rf "$work/castore-big" "$work/big.nar"
  echo "$big_out" | grep -E '^(ingest|render)' >&2
  big_size=$(( (big_mib << 20) + 112 ))
  printf 'single-file NAR of %d MiB (-Xmx256m): ingest %.0f MB/s, render (always) %.0f MB/s, peak RSS %d MiB\n' "$big_mib" \
    "$(echo "$big_size / $(field ingest "$big_out") / 1000000" | bc -l)" \
    "$(echo "$big_size / $(field 'render always 1' "$big_out") / 1000000" | bc -l)" \
    "$(( $(echo "$big_out" | sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p') / 1024 ))"
fi

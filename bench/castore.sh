#!/usr/bin/env bash
# castore: ingest of the ~1.3 GB NAR of the synthetic closure (bench/nar-throughput.sh) into a
# fresh store vs nix-store --restore of the same NAR; render back vs nix-store --dump. Runs the
# store on the file backend, then on S3 (s3proxy, filesystem backend, loopback) and prints the
# ratio S3/file; bench/s3-raw.sh gives the S3 server's own ceiling for the same bytes.
# usage: bench/castore.sh [WORKDIR=/tmp/cairn-bench-nar] [files|s3|both=both]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-nar}; which=${2:-both}
cp=$(bench/classpath.sh)
[ -f "$work/tree.nar" ] || { bench/nar-throughput.sh "$work" >/dev/null; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
size=$(stat -c %s "$work/tree.nar")
rm -rf "$work/r"; nix_restore=$(secs sh -c "nix-store --restore '$work/r' < '$work/tree.nar'")
nix_dump=$(secs sh -c "nix-store --dump '$work/r' > /dev/null")
chmod -R u+w "$work/r"; rm -rf "$work/r"

run() { # label blob_store
  rm -rf "$work/castore"
  out=$(CAIRN_CASTORE_BLOB_STORE="$2" java -Xmx1g --add-modules jdk.incubator.vector -cp "$cp" dev.cairn.castore.CastoreBench "$work/tree.nar" "$work/castore")
  echo "$1: $out" >&2
  ingest=$(echo "$out" | sed -n 's/^ingest: .* in \([0-9.]*\) s.*/\1/p')
  render=$(echo "$out" | sed -n 's/^render: .* in \([0-9.]*\) s.*/\1/p')
  rm -rf "$work/castore"
  echo "$ingest $render"
}
mbps() { echo "$size / $1 / 1000000" | bc -l; }
printf 'NAR %d bytes, %s cores, load %s\n' "$size" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'nix-store --restore  %6.2f s  %5.0f MB/s\n' "$nix_restore" "$(mbps "$nix_restore")"
printf 'nix-store --dump     %6.2f s  %5.0f MB/s\n' "$nix_dump" "$(mbps "$nix_dump")"
if [ "$which" != s3 ]; then
  read -r f_ingest f_render < <(run files "")
  printf 'files: ingest        %6.2f s  %5.0f MB/s  ratio to restore %.2f\n' "$f_ingest" "$(mbps "$f_ingest")" "$(echo "$nix_restore / $f_ingest" | bc -l)"
  printf 'files: render        %6.2f s  %5.0f MB/s  ratio to dump %.2f\n' "$f_render" "$(mbps "$f_render")" "$(echo "$nix_dump / $f_render" | bc -l)"
fi
if [ "$which" != files ]; then
  source bench/s3proxy-lib.sh
  s3dir="$work/s3"; rm -rf "$s3dir"; mkdir -p "$s3dir"
  start_s3proxy "$s3dir"
  trap 'kill $S3_PID 2>/dev/null; wait $S3_PID 2>/dev/null || true; rm -rf "$s3dir"' EXIT
  s3curl -X PUT "http://127.0.0.1:$S3_PORT/bench" >/dev/null
  export AWS_ACCESS_KEY_ID=cairn AWS_SECRET_ACCESS_KEY=cairnsecret AWS_REGION=us-east-1
  read -r s_ingest s_render < <(run s3 "s3://bench/castore?endpoint=http://127.0.0.1:$S3_PORT&region=us-east-1&path_style=true")
  printf 's3:    ingest        %6.2f s  %5.0f MB/s  ratio to restore %.2f\n' "$s_ingest" "$(mbps "$s_ingest")" "$(echo "$nix_restore / $s_ingest" | bc -l)"
  printf 's3:    render        %6.2f s  %5.0f MB/s  ratio to dump %.2f\n' "$s_render" "$(mbps "$s_render")" "$(echo "$nix_dump / $s_render" | bc -l)"
  if [ "$which" = both ]; then
    printf 'S3/file: ingest %.2f, render %.2f\n' "$(echo "$f_ingest / $s_ingest" | bc -l)" "$(echo "$f_render / $s_render" | bc -l)"
  fi
fi

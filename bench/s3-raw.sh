#!/usr/bin/env bash
# The S3 server's own ceiling: raw PUT and GET throughput of s3proxy (the S3 server the tests
# and bench/castore.sh's S3 run use: filesystem-nio2 backend, loopback) for the same bytes as
# bench/castore.sh, the NAR of the synthetic closure. Cairn's S3 ingest/render figures are
# bounded by these. Measured with curl (SigV4 signing built in), no Cairn code involved:
#   1. the NAR as one object (one PUT, one GET);
#   2. the NAR cut into 256 KiB objects (the chunker's average chunk size) under
#      chunks/<hex[0:2]>/ like S3ChunkStore's keys, PUT and GET with PAR requests in flight.
# usage: bench/s3-raw.sh [WORKDIR=/tmp/cairn-bench-nar] [PAR=16]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-nar}; par=${2:-16}
[ -f target/s3proxy/s3proxy.jar ] || mvn -B -q process-test-resources
[ -f "$work/tree.nar" ] || { bench/nar-throughput.sh "$work" >/dev/null; }
size=$(stat -c %s "$work/tree.nar")

s3="$work/s3raw"; rm -rf "$s3"; mkdir -p "$s3/data" "$s3/pieces"
source bench/s3proxy-lib.sh
start_s3proxy "$s3"
port=$S3_PORT; proxy=$S3_PID
trap 'kill $proxy 2>/dev/null; wait $proxy 2>/dev/null || true; rm -rf "$s3"' EXIT

url=http://127.0.0.1:$port/bench
s3curl -X PUT "$url" >/dev/null

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
mbps() { echo "$size / $1 / 1000000" | bc -l; }

put_one=$(secs s3curl -T "$work/tree.nar" "$url/raw/tree.nar")
get_one=$(secs s3curl -o /dev/null "$url/raw/tree.nar")
s3curl -X DELETE "$url/raw/tree.nar" >/dev/null

# 256 KiB pieces named like chunk keys (sha256 stands in for BLAKE3: any well-spread hex),
# moved by one curl process with PAR transfers in flight (a process per object would measure
# process start-up, not the server).
split -b 256K -a 6 "$work/tree.nar" "$s3/pieces/p"
( cd "$s3/pieces" && for f in p*; do h=$(sha256sum "$f" | cut -c1-64); mv "$f" "$h"; done )
pieces=$(ls "$s3/pieces" | wc -l)
for h in $(ls "$s3/pieces"); do
  printf 'upload-file = "%s"\nurl = "%s"\n' "$s3/pieces/$h" "$url/chunks/${h:0:2}/$h" >> "$s3/put.cfg"
  printf 'output = "/dev/null"\nurl = "%s"\n' "$url/chunks/${h:0:2}/$h" >> "$s3/get.cfg"
done
put_many=$(secs s3curl --parallel --parallel-max "$par" -K "$s3/put.cfg")
get_many=$(secs s3curl --parallel --parallel-max "$par" -K "$s3/get.cfg")

printf 'NAR %d bytes; s3proxy 2.6.0 filesystem-nio2 on 127.0.0.1, curl %s\n' "$size" "$(curl --version | head -1 | cut -d' ' -f2)"
printf '%-44s %7s %7s\n' "operation" "seconds" "MB/s"
printf '%-44s %7.2f %7.0f\n' "PUT one object" "$put_one" "$(mbps "$put_one")"
printf '%-44s %7.2f %7.0f\n' "GET one object" "$get_one" "$(mbps "$get_one")"
printf '%-44s %7.2f %7.0f\n' "PUT $pieces x 256 KiB objects, $par in flight" "$put_many" "$(mbps "$put_many")"
printf '%-44s %7.2f %7.0f\n' "GET $pieces x 256 KiB objects, $par in flight" "$get_many" "$(mbps "$get_many")"

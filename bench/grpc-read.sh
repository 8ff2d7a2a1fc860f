#!/usr/bin/env bash
# gRPC BlobService Put and Read throughput of a 1 GiB blob, client: Debian's python3-grpcio with
# stubs generated from our protos (the same independent client as the tests).
# usage: bench/grpc-read.sh [SIZE_MIB=1024]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
port=18090
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
work=$(mktemp -d /tmp/cairn-bench-grpc.XXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/gen"
/usr/bin/python3 -m grpc_tools.protoc -Isrc/main/proto --python_out="$work/gen" --grpc_python_out="$work/gen" \
  $(cd src/main/proto && find . -name '*.proto' | sed 's|^\./||')
CAIRN_HTTP_PORT=$port CAIRN_DATA_DIR="$work/data" CAIRN_HTTP_REQUEST_LOG=false java --add-modules jdk.incubator.vector -jar target/cairn.jar serve > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
token=$(CAIRN_DATA_DIR="$work/data" java -jar target/cairn.jar user create bench)
/usr/bin/python3 bench/grpc_read.py "127.0.0.1:$port" "$work/gen" "$mib" "$token"

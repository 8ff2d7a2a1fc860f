#!/usr/bin/env bash
# gRPC BlobService Put and Read throughput of a 1 GiB blob, client: Debian's python3-grpcio with
# stubs generated from our protos (the same independent client as the tests), next to the
# client's own ceiling: the same client against bench/grpc_trivial_server.py (python3-grpcio,
# accepts and serves the same bytes, stores and hashes nothing). Prints both and Cairn/ceiling.
# usage: bench/grpc-read.sh [SIZE_MIB=1024]        smoke run: bench/grpc-read.sh 16
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); trivial_port=$(free_port)
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
work=$(mktemp -d /tmp/cairn-bench-grpc.XXXX)
server=; trivial=
trap 'kill $server $trivial 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/gen"
/usr/bin/python3 -m grpc_tools.protoc -Isrc/main/proto --python_out="$work/gen" --grpc_python_out="$work/gen" \
  $(cd src/main/proto && find . -name '*.proto' | sed 's|^\./||')

/usr/bin/python3 bench/grpc_trivial_server.py "$trivial_port" "$work/gen" "$mib" > "$work/trivial.log" 2>&1 &
trivial=$!
for _ in $(seq 1 100); do grep -q ready "$work/trivial.log" 2>/dev/null && break; sleep 0.1; done
ceiling=$(/usr/bin/python3 bench/grpc_read.py "127.0.0.1:$trivial_port" "$work/gen" "$mib" -)
kill $trivial; wait $trivial 2>/dev/null || true; trivial=

CAIRN_HTTP_PORT=$port CAIRN_DATA_DIR="$work/data" CAIRN_HTTP_REQUEST_LOG=false java --add-modules jdk.incubator.vector -jar target/cairn.jar serve > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
token=$(CAIRN_DATA_DIR="$work/data" java -jar target/cairn.jar user create bench)
cairn=$(/usr/bin/python3 bench/grpc_read.py "127.0.0.1:$port" "$work/gen" "$mib" "$token")

mbs() { echo "$1" | sed -n "s/^$2: .* = \([0-9]*\) MB\/s/\1/p" | sort -n | tail -1; }
printf '%d MiB blob, %s cores, load %s\n' "$mib" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %18s %8s\n' call "Cairn MB/s" "ceiling MB/s" ratio
for call in put "read run [0-9]"; do
  c=$(mbs "$cairn" "$call"); t=$(mbs "$ceiling" "$call")
  printf '%-6s %12s %18s %8.2f\n' "${call%% *}" "$c" "$t" "$(echo "$c / $t" | bc -l)"
done
echo "(read: best of 3 runs; Cairn's Put hashes and chunks the blob and stores every chunk; the ceiling stores nothing)"

#!/usr/bin/env bash
# registry: pulling one image (>= 500 MB, >= 20 layers) from Cairn, which streams uncompressed
# layers from castore, vs Debian's docker-registry (distribution 2.8, filesystem storage), both on
# loopback. The image is the synthetic closure of ../shared/bench/make-closure.sh, loaded into
# Cairn with `nix copy --to`, then copied from Cairn into docker-registry with skopeo, so both
# serve the very same manifest and blobs. Prints: skopeo copy to a local dir from each, blob GET
# throughput at concurrency 1 and 8 (curl), and Cairn's manifest resolution cold and warm.
# Needs: nix, skopeo, curl, docker-registry (apt-get install docker-registry), bc.
# usage: bench/registry.sh [WORKDIR=/tmp/cairn-bench-registry] [PATHS=120] [TOTAL_MIB=600]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-registry}; paths=${2:-120}; mib=${3:-600}
cairn_port=18090; dist_port=18091
rm -rf "$work"; mkdir -p "$work"
export NIX_CONFIG="experimental-features = nix-command" XDG_CACHE_HOME="$work/xdg"
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

top=$(../shared/bench/make-closure.sh "$work/nix" "$paths" "$mib" 1 | tail -1)
name=$(basename "$top" | cut -d- -f2-)

[ -f target/cairn.jar ] || mvn -B -q package -DskipTests >/dev/null
CAIRN_HTTP_PORT=$cairn_port CAIRN_DATA_DIR="$work/cairn" CAIRN_HTTP_REQUEST_LOG=false \
  java -Xmx2g -jar target/cairn.jar serve >"$work/cairn.log" 2>&1 & cairn_pid=$!
cat >"$work/dist.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $work/dist }, delete: { enabled: false } }
http: { addr: 127.0.0.1:$dist_port }
log: { level: error }
YML
docker-registry serve "$work/dist.yml" >"$work/dist.log" 2>&1 & dist_pid=$!
trap 'kill $cairn_pid $dist_pid 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$cairn_port/readyz" >/dev/null && break; sleep 0.2; done

token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
CAIRN_DATA_DIR="$work/cairn" java -jar target/cairn.jar user create bench --role writer --token "$token" >/dev/null
printf 'machine 127.0.0.1 login x password %s\n' "$token" >"$work/netrc"
nix copy --store "$work/nix" --to "http://127.0.0.1:$cairn_port?compression=none" --option netrc-file "$work/netrc" "$top"

cairn="docker://127.0.0.1:$cairn_port/$name:latest"
dist="docker://127.0.0.1:$dist_port/$name:latest"
cold=$(secs curl -sf -o /dev/null -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://127.0.0.1:$cairn_port/v2/$name/manifests/latest")
warm=$(secs curl -sf -o /dev/null -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://127.0.0.1:$cairn_port/v2/$name/manifests/latest")
skopeo copy --src-tls-verify=false --dest-tls-verify=false "$cairn" "$dist" >/dev/null

manifest=$(curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://127.0.0.1:$cairn_port/v2/$name/manifests/latest")
layers=$(echo "$manifest" | python3 -c 'import json,sys; [print(l["digest"]) for l in json.load(sys.stdin)["layers"]]')
bytes=$(echo "$manifest" | python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))')
count=$(echo "$layers" | wc -l)

pull() { rm -rf "$work/out"; secs skopeo copy --src-tls-verify=false "$1" "dir:$work/out"; }
gets() { # base concurrency
  echo "$layers" | xargs -P "$2" -I{} curl -sf -o /dev/null "$1/v2/$name/blobs/{}"
}
mbps() { echo "$bytes / $1 / 1000000" | bc -l; }
printf 'image %s: %d layers, %d bytes; %s cores, load %s\n' "$name" "$count" "$bytes" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'manifest resolution (%d paths): cold %.3f s, warm %.3f s\n' "$paths" "$cold" "$warm"
for run in 1 2 3; do
  d=$(pull "$dist"); c=$(pull "$cairn")
  printf 'skopeo copy   run %d: distribution %6.2f s (%5.0f MB/s)  cairn %6.2f s (%5.0f MB/s)  ratio %.2f\n' \
    "$run" "$d" "$(mbps "$d")" "$c" "$(mbps "$c")" "$(echo "$d / $c" | bc -l)"
done
for p in 1 8; do
  d=$(secs gets "http://127.0.0.1:$dist_port" "$p"); c=$(secs gets "http://127.0.0.1:$cairn_port" "$p")
  printf 'blob GETs -P%d: distribution %6.2f s (%5.0f MB/s)  cairn %6.2f s (%5.0f MB/s)  ratio %.2f\n' \
    "$p" "$d" "$(mbps "$d")" "$c" "$(mbps "$c")" "$(echo "$d / $c" | bc -l)"
done

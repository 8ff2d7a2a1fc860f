#!/usr/bin/env bash
# registry: pulling one image (>= 500 MB, >= 20 layers) from Cairn, which streams uncompressed
# layers from castore, vs Debian's docker-registry (distribution 2.8, filesystem storage), both on
# loopback. The image is the synthetic closure of ../shared/bench/make-closure.sh, loaded into
# Cairn with `nix copy --to`, then copied from Cairn into docker-registry with skopeo
# --preserve-digests (without it skopeo gzips the layers for a registry destination, and
# distribution would serve other blobs), so both serve the very same manifest and blobs (checked).
# Prints: skopeo copy to a local dir from each, blob GET throughput at concurrency 1 and 8 (curl,
# every status and length checked), and Cairn's manifest resolution cold and warm. Any failing
# step aborts the run. An image under the issue's 500 MB / 20 layers is flagged as a smoke run.
# Needs: nix, skopeo, curl, docker-registry (apt-get install docker-registry), bc, python3.
# usage: bench/registry.sh [WORKDIR=/tmp/cairn-bench-registry] [PATHS=120] [TOTAL_MIB=600]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-registry}; paths=${2:-120}; mib=${3:-600}
cairn_port=18090; dist_port=18091
rm -rf "$work"; mkdir -p "$work"
export NIX_CONFIG="experimental-features = nix-command" XDG_CACHE_HOME="$work/xdg"
# seconds a command takes; its failure (with its stderr) aborts the run
secs() {
  local s e; s=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/secs.err" || { echo "failed: $*" >&2; cat "$work/secs.err" >&2; exit 1; }
  e=$(date +%s.%N); echo "$e - $s" | bc -l
}
# a GET that must answer 200: fetch URL [curl options]
fetch() { local url=$1; shift; curl -s -o "$work/body" -w '%{http_code}' "$@" "$url" >"$work/code"
  [ "$(cat "$work/code")" = 200 ] || { echo "GET $url: HTTP $(cat "$work/code"): $(head -c 500 "$work/body")" >&2; exit 1; }; }

top=$(../shared/bench/make-closure.sh "$work/nix" "$paths" "$mib" 1 | tail -1)
name=$(basename "$top" | cut -d- -f2-)

[ -f target/cairn.jar ] || mvn -B -q package -DskipTests >/dev/null
CAIRN_HTTP_PORT=$cairn_port CAIRN_DATA_DIR="$work/cairn" CAIRN_HTTP_REQUEST_LOG=false \
  java -Xmx2g --add-modules jdk.incubator.vector -jar target/cairn.jar serve >"$work/cairn.log" 2>&1 & cairn_pid=$!
cat >"$work/dist.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $work/dist }, delete: { enabled: false } }
http: { addr: 127.0.0.1:$dist_port }
log: { level: error }
YML
docker-registry serve "$work/dist.yml" >"$work/dist.log" 2>&1 & dist_pid=$!
trap 'kill $cairn_pid $dist_pid 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$cairn_port/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$cairn_port/readyz" >/dev/null || { echo "cairn did not start:" >&2; tail "$work/cairn.log" >&2; exit 1; }
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$dist_port/v2/" && break; sleep 0.2; done

token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
CAIRN_DATA_DIR="$work/cairn" java -jar target/cairn.jar user create bench --role writer --token "$token" >/dev/null
printf 'machine 127.0.0.1 login x password %s\n' "$token" >"$work/netrc"
nix copy --store "$work/nix" --to "http://127.0.0.1:$cairn_port?compression=none" --option netrc-file "$work/netrc" "$top"

cairn="docker://127.0.0.1:$cairn_port/$name:latest"
dist="docker://127.0.0.1:$dist_port/$name:latest"
oci="Accept: application/vnd.oci.image.manifest.v1+json"
cold=$(secs fetch "http://127.0.0.1:$cairn_port/v2/$name/manifests/latest" -H "$oci")
warm=$(secs fetch "http://127.0.0.1:$cairn_port/v2/$name/manifests/latest" -H "$oci")
skopeo copy --preserve-digests --src-tls-verify=false --dest-tls-verify=false "$cairn" "$dist" >/dev/null

fetch "http://127.0.0.1:$cairn_port/v2/$name/manifests/latest" -H "$oci"; manifest=$(cat "$work/body")
fetch "http://127.0.0.1:$dist_port/v2/$name/manifests/latest" -H "$oci"; dist_manifest=$(cat "$work/body")
digests() { python3 -c 'import json,sys; [print(l["digest"], l["size"]) for l in json.load(sys.stdin)["layers"]]'; }
layers=$(echo "$manifest" | digests | cut -d' ' -f1)
[ "$(echo "$manifest" | digests)" = "$(echo "$dist_manifest" | digests)" ] \
  || { echo "distribution's manifest lists other layers than Cairn's: not the same image" >&2; exit 1; }
bytes=$(echo "$manifest" | digests | awk '{s += $2} END {print s}')
count=$(echo "$layers" | wc -l)

pull() { rm -rf "$work/out"; secs skopeo copy --src-tls-verify=false "$1" "dir:$work/out"; }
gets() { # base concurrency: every layer once; each must answer 200 with its full length
  echo "$layers" | xargs -P "$2" -I{} curl -s -o /dev/null -w '%{http_code} %{size_download} {}\n' "$1/v2/$name/blobs/{}" >"$work/gets"
  awk -v want="$bytes" '$1 != 200 {print "blob GET " $3 ": HTTP " $1 > "/dev/stderr"; bad = 1} {got += $2}
    END {if (got != want) {print "blob GETs read " got " bytes of " want > "/dev/stderr"; bad = 1}; exit bad}' "$work/gets"
}
mbps() { echo "$bytes / $1 / 1000000" | bc -l; }
printf 'image %s: %d layers, %d bytes; %s cores, load %s\n' "$name" "$count" "$bytes" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$bytes" -lt 500000000 ] || [ "$count" -lt 20 ]; then
  echo "(smoke run: issue 12's bench wants >= 500 MB and >= 20 layers)"
fi
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

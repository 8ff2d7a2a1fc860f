#!/usr/bin/env bash
# Binary cache: Cairn next to nginx (Debian nginx-light, sendfile) serving the same closure as a
# `nix copy --to file://…?compression=none` cache, on loopback:
#  - sequential narinfo latency (wrk, 1 connection, keep-alive, cycling through every narinfo)
#  - NAR download throughput at 1, 4 and 16 connections (wrk cycling through every NAR)
#  - `nix copy --from` wall time of the whole closure into a fresh chroot store
#  - `nix copy --to` wall time into Cairn (compression=none, netrc) vs into file://
#  - dedup ratio: bytes Cairn stores (distinct chunks) / NAR bytes (from Cairn's GET / page)
# Closure: ../shared/bench/make-closure.sh STORE PATHS MIB (default 120 320: 121 paths, ~550 MB).
# Ratios: nginx time / Cairn time for latency and wall times, Cairn / nginx for throughput
# (> 1 = Cairn faster; issue 9's goals: narinfo ≥ 0.67, NAR ≥ 0.7, copy --from ≥ 0.77).
# usage: bench/cache.sh [WORKDIR=/tmp/cairn-bench-cache] [PATHS=120] [MIB=320] [SECONDS=10]
#   a smoke run: bench/cache.sh /tmp/cairn-cache-smoke 4 8 2
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cairn-bench-cache}; paths=${2:-120}; mib=${3:-320}; secs=${4:-10}
shared=$(cd .. && pwd)/shared
[ -x "$shared/bench/make-closure.sh" ] || shared=/work/shared
cairn_port=18090; nginx_port=18091
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
export NIX_CONFIG="experimental-features = nix-command"
export HOME="$work/home" XDG_CACHE_HOME="$work/xdg"
rm -rf "$work"; mkdir -p "$work/home"
server=""; nginx_pid=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
}
trap cleanup EXIT
secs_of() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; return 1; }; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

top=$("$shared/bench/make-closure.sh" "$work/src" "$paths" "$mib" | tail -1)
echo "closure: $top ($(nix path-info --store "$work/src" -r "$top" | wc -l) paths)"

# The file cache (what nginx serves) and the time to write it.
file_to=$(secs_of nix copy --store "$work/src" --to "file://$work/fc?compression=none" "$top")
nar_bytes=$(nix path-info --store "$work/src" -r -S --json "$top" | python3 -c 'import json,sys; print(sum(p["narSize"] for p in json.load(sys.stdin)))')

# Cairn: a fresh data dir, a writer's token in a netrc file, then nix copy --to.
source bench/cairn-server-lib.sh
start_cairn "$work" "$cairn_port"
cairn_to=$(secs_of nix copy --store "$work/src" --to "http://127.0.0.1:$cairn_port?compression=none" \
  --option netrc-file "$work/netrc" "$top")
key=$(curl -sf "http://127.0.0.1:$cairn_port/api/v1/cache/public-keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_keys"][0])')

# nginx over the file cache.
cat > "$work/nginx.conf" <<CONF
user root;
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  types { text/x-nix-narinfo narinfo; application/x-nix-nar nar; }
  server { listen 127.0.0.1:$nginx_port; root $work/fc; }
}
CONF
mkdir -p "$work/nginx-tmp"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 40); do curl -sf "http://127.0.0.1:$nginx_port/nix-cache-info" >/dev/null && break; sleep 0.25; done

# The request lists: every narinfo, and every NAR at the URL each server's narinfo names.
ls "$work/fc" | sed -n 's/^\(.*\.narinfo\)$/\/\1/p' > "$work/narinfos"
sed -n 's/^URL: /\//p' "$work"/fc/*.narinfo > "$work/nginx-nars"
while read -r n; do curl -sf "http://127.0.0.1:$cairn_port$n" | sed -n 's/^URL: /\//p'; done < "$work/narinfos" > "$work/cairn-nars"
[ "$(wc -l < "$work/cairn-nars")" = "$(wc -l < "$work/narinfos")" ] || { echo "Cairn lacks some narinfos" >&2; exit 1; }

latency_ms() { # url-base list
  PATHS_FILE=$2 wrk -t1 -c1 -d2s -s bench/cache-paths.lua "$1" >/dev/null   # warm-up
  PATHS_FILE=$2 wrk -t1 -c1 -d${secs}s --latency -s bench/cache-paths.lua "$1" \
    | awk '/^    Latency/ { v=$2; if (v ~ /us$/) { sub(/us/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms/,"",v) } else { sub(/s/,"",v); v*=1000 }; print v }'
}
throughput_mbs() { # url-base list connections
  local t=$(( $3 < 2 ? 1 : 2 ))
  PATHS_FILE=$2 wrk -t$t -c$3 -d${secs}s --timeout 60s -s bench/cache-paths.lua "$1" \
    | awk '/^Transfer\/sec/ { v=$2; if (v ~ /GB$/) { sub(/GB/,"",v); v*=1024 } else if (v ~ /MB$/) { sub(/MB/,"",v) } else if (v ~ /KB$/) { sub(/KB/,"",v); v/=1024 }; printf "%.0f\n", v*1.048576 }'
}
copy_from() { # url
  local dst; dst=$(mktemp -d "$work/dst.XXXX")
  XDG_CACHE_HOME="$dst/xdg" secs_of nix copy --from "$1" --to "$dst/store" --option trusted-public-keys "$key" \
    --option require-sigs false --option substituters "" "$top"
  chmod -R u+w "$dst"; rm -rf "$dst"
}

printf 'machine: %s cores, load %s; closure NARs %d bytes\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$nar_bytes"
n_lat=$(latency_ms "http://127.0.0.1:$nginx_port" "$work/narinfos")
c_lat=$(latency_ms "http://127.0.0.1:$cairn_port" "$work/narinfos")
printf '%-38s %10s %10s %8s\n' "measure" "nginx" "cairn" "ratio"
printf '%-38s %10s %10s %8s\n' "narinfo latency, sequential (ms)" "$n_lat" "$c_lat" "$(ratio "$n_lat" "$c_lat")"
for c in 1 4 16; do
  n_t=$(throughput_mbs "http://127.0.0.1:$nginx_port" "$work/nginx-nars" $c)
  c_t=$(throughput_mbs "http://127.0.0.1:$cairn_port" "$work/cairn-nars" $c)
  printf '%-38s %10s %10s %8s\n' "NAR throughput, $c connection(s) (MB/s)" "$n_t" "$c_t" "$(ratio "$c_t" "$n_t")"
done
n_from=$(copy_from "http://127.0.0.1:$nginx_port")
c_from=$(copy_from "http://127.0.0.1:$cairn_port")
printf '%-38s %10.2f %10.2f %8s\n' "nix copy --from, whole closure (s)" "$n_from" "$c_from" "$(ratio "$n_from" "$c_from")"
printf '%-38s %10.2f %10.2f %8s\n' "nix copy --to, file:// vs Cairn (s)" "$file_to" "$cairn_to" "$(ratio "$file_to" "$cairn_to")"
page=$(curl -sf "http://127.0.0.1:$cairn_port/")
stored=$(echo "$page" | sed -n 's/.*id="stored-bytes">\([0-9,]*\) bytes.*/\1/p' | tr -d ,)
cairn_nar=$(echo "$page" | sed -n 's/.*id="nar-bytes">\([0-9,]*\) bytes.*/\1/p' | tr -d ,)
printf 'dedup: Cairn stores %d bytes for %d NAR bytes: ratio %s\n' "$stored" "$cairn_nar" "$(printf '%.3f' "$(echo "$stored / $cairn_nar" | bc -l)")"

#!/usr/bin/env bash
# Attestation ingestion and report benchmarks, on PostgreSQL and on SQLite, load from wrk
# in a second process on loopback:
#  ceiling  GET /healthz (a Vert.x route answering 200: the HTTP ceiling of this machine)
#  (a)      lila-shaped POST /attestation/{drv} with 1-3 outputs, concurrency 64
#  (b)      POST /api/v1/attestations with 1,000 attestations per request
#  (c)      GET /api/v1/reports/{name} for a 1,500-path and an 80,000-path report, 3 builders each
# For (a) and (b) it also prints CPU time per request of the server (JIT compiler threads left
# out) and of PostgreSQL: figures that stay comparable on a loaded machine, unlike req/s.
# usage: bench/attest.sh [SECONDS=15]   (REPORT_SIZES="1500" for a quick smoke run; default "1500 80000")
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
sizes=${REPORT_SIZES:-1500 80000}
port=18080
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
work=$(mktemp -d /tmp/cairn-bench-attest.XXXX)
trap 'kill $server 2>/dev/null || true; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS cairn_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for n in $sizes; do python3 bench/make-report.py $n "$work/r$n"; done

rps() { awk '/Requests\/sec/ {print $2}'; }
# CPU ticks (1/100 s) of a JVM's threads other than the JIT compilers, and of all postgres processes.
jvm_ticks() { local t=0 line comm rest; for f in /proc/$1/task/*/stat; do
  read -r line < "$f" 2>/dev/null || continue
  comm=${line#*(}; comm=${comm%%)*}
  case "$comm" in C1\ Compiler*|C2\ Compiler*) continue;; esac
  rest=${line##*) }; set -- $rest; t=$((t + ${12} + ${13}))
done; echo $t; }
pg_ticks() { local t=0 p; for p in $(pgrep -x postgres); do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $t; }
# run_wrk OUTVAR ARGS...: runs wrk, fails on non-2xx answers, sets OUTVAR to "req/s requests server-ms/req postgres-ms/req"
run_wrk() { local var=$1 out s0 p0 s1 p1 n; shift
  s0=$(jvm_ticks $server); p0=$(pg_ticks)
  out=$(wrk "$@")
  s1=$(jvm_ticks $server); p1=$(pg_ticks)
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "wrk $*: requests failed" >&2; exit 1; fi
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  if [ "${n:-0}" -eq 0 ]; then   # nothing completed (an overloaded machine): no per-request figure
    printf -v "$var" '%s 0 n/a n/a' "$(echo "$out" | rps)"; return
  fi
  printf -v "$var" '%s %s %s %s' "$(echo "$out" | rps)" "$n" "$(echo "scale=3; ($s1 - $s0) * 10 / $n" | bc -l)" \
    "$(echo "scale=3; ($p1 - $p0) * 10 / $n" | bc -l)"
}
for backend in postgresql sqlite; do
  rm -rf "$work/data"
  if [ $backend = postgresql ]; then
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS cairn_bench WITH (FORCE)" >/dev/null
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE cairn_bench" >/dev/null
    export CAIRN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cairn_bench CAIRN_DATABASE_POOL_SIZE=16
  else
    export CAIRN_DATABASE_URL="" CAIRN_DATABASE_POOL_SIZE=4
  fi
  export CAIRN_DATA_DIR="$work/data" CAIRN_HTTP_PORT=$port CAIRN_HTTP_REQUEST_LOG=false
  java -Xmx2g --add-modules jdk.incubator.vector -jar target/cairn.jar serve > "$work/server-$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
  for u in b0 b1 b2; do export TOKEN_$u=$(java -jar target/cairn.jar user create $u); done
  export TOKEN=$TOKEN_b0
  wrk -t2 -c64 -d5s "http://127.0.0.1:$port/healthz" >/dev/null   # warm-up
  ceiling=$(wrk -t2 -c64 -d${secs}s "http://127.0.0.1:$port/healthz" | rps)
  wrk -t2 -c64 -d5s -s bench/attest-post.lua "http://127.0.0.1:$port" >/dev/null   # warm-up
  run_wrk post -t2 -c64 -d${secs}s -s bench/attest-post.lua "http://127.0.0.1:$port"
  run_wrk batch -t1 -c4 -d${secs}s --timeout 30s -s bench/attest-batch.lua "http://127.0.0.1:$port"
  read -r post_rps _ post_cpu post_pg <<< "$post"
  read -r batch_rps _ batch_cpu batch_pg <<< "$batch"
  pg_cpu() { [ $backend = postgresql ] && echo ", PostgreSQL $1 ms" || true; }
  echo "== $backend"
  echo "ceiling GET /healthz:            $ceiling req/s"
  echo "(a) lila POST, c=64:             $post_rps req/s  (ratio to ceiling: $(echo "scale=3; $post_rps / $ceiling" | bc -l));" \
    "CPU per request: server $post_cpu ms$(pg_cpu $post_pg)"
  echo "(b) batch of 1000, c=4:          $(echo "scale=0; $batch_rps * 1000 / 1" | bc -l) attestations/s;" \
    "CPU per 1,000: server $batch_cpu ms$(pg_cpu $batch_pg)"
  for n in $sizes; do
    curl -sf -X PUT "http://127.0.0.1:$port/reports/r$n" -H "Authorization: Bearer $TOKEN" --data-binary @"$work/r$n/sbom.json" >/dev/null
    for b in 0 1 2; do
      tok=TOKEN_b$b
      split -l 5000 "$work/r$n/batch$b.ndjson" "$work/r$n/part$b."
      for part in "$work/r$n"/part$b.*; do
        curl -sf -X POST "http://127.0.0.1:$port/api/v1/attestations" -H "Authorization: Bearer ${!tok}" --data-binary @"$part" >/dev/null
      done
      rm -f "$work/r$n"/part$b.*
    done
    curl -sf "http://127.0.0.1:$port/api/v1/reports/r$n" -o /dev/null   # warm-up
    best=$(for i in 1 2 3 4 5; do curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/v1/reports/r$n"; done | sort -n | head -1)
    echo "(c) report JSON, $n paths x 3 builders: best of 5 = ${best} s"
  done
  kill $server; wait $server 2>/dev/null || true
done

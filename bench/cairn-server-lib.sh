# Sourced by benchmarks that push into a fresh Cairn: start_cairn WORK PORT creates a writer
# "bench" in a fresh SQLite data dir WORK/cairn, writes its token to WORK/netrc (for nix's
# --option netrc-file), starts `cairn serve` on 127.0.0.1:PORT (log WORK/cairn.log), waits for
# /readyz and sets `server` to its pid (the caller kills it). Run as the README says to run it:
# with the Vector API (SIMD BLAKE3; without it ingest and chunk checks hash with the scalar code).
start_cairn() {
  local work=$1 port=$2 token
  export CAIRN_DATA_DIR="$work/cairn" CAIRN_HTTP_PORT=$port CAIRN_HTTP_REQUEST_LOG=false CAIRN_DATABASE_URL=""
  token=$(java -jar target/cairn.jar user create bench --role writer)
  printf 'machine 127.0.0.1 login bench password %s\n' "$token" > "$work/netrc"
  java -Xmx2g --add-modules jdk.incubator.vector -jar target/cairn.jar serve > "$work/cairn.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0; sleep 0.5; done
  echo "cairn did not become ready; see $work/cairn.log" >&2
  return 1
}

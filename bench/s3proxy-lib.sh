# Sourced by the S3 benchmarks: start_s3proxy DIR starts s3proxy (filesystem-nio2 under DIR,
# loopback, a free port) as its own process and sets S3_PORT and S3_PID; s3curl signs requests.
start_s3proxy() {
  local dir=$1
  [ -f target/s3proxy/s3proxy.jar ] || mvn -B -q process-test-resources
  mkdir -p "$dir/data"
  S3_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$dir/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=cairn
s3proxy.credential=cairnsecret
jclouds.provider=filesystem-nio2
jclouds.identity=cairn
jclouds.credential=cairnsecret
jclouds.filesystem.basedir=$dir/data
CONF
  java -Xmx1g -jar target/s3proxy/s3proxy.jar --properties "$dir/s3proxy.conf" > "$dir/s3proxy.log" 2>&1 &
  S3_PID=$!
  for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$S3_PORT) 2>/dev/null && break; sleep 0.1; done
  (exec 3<>/dev/tcp/127.0.0.1/$S3_PORT) 2>/dev/null || { cat "$dir/s3proxy.log" >&2; return 1; }
}
# UNSIGNED-PAYLOAD: curl would otherwise not send a payload hash s3proxy can check.
s3curl() { curl -sS --no-progress-meter -f --aws-sigv4 "aws:amz:us-east-1:s3" --user cairn:cairnsecret \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }

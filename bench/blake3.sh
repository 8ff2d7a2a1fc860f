#!/usr/bin/env bash
# BLAKE3 throughput: Cairn's Blake3Hasher (own Blake3; serial and fork-join parallel), the
# previous commons-codec Blake3, b3sum --num-threads 1 and b3sum (all threads), same file.
# Usage: bench/blake3.sh [SIZE_MIB=1024] [RUNS=5]   (from the repository root; builds classes)
set -euo pipefail
size_mib=${1:-1024}
runs=${2:-5}
cd "$(dirname "$0")/.."
file=$(mktemp /tmp/cairn-blake3-bench.XXXXXX)
trap 'rm -f "$file" "$file.cp"' EXIT

head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$file"
cp=$(bench/classpath.sh)

echo "file: ${size_mib} MiB, $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "--- b3sum --num-threads 1 ($(b3sum --version))"
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  digest=$(b3sum --num-threads 1 --no-names "$file")
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v b="$((size_mib * 1024 * 1024))" -v d="$digest" -v i="$i" \
    'BEGIN { printf "run %d: %s  %.1f MB/s (%.2f s)\n", i, d, b / 1e6 / (e - s), e - s }'
done
echo "--- b3sum (default threads)"
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  digest=$(b3sum --no-names "$file")
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v b="$((size_mib * 1024 * 1024))" -v d="$digest" -v i="$i" \
    'BEGIN { printf "run %d: %s  %.1f MB/s (%.2f s)\n", i, d, b / 1e6 / (e - s), e - s }'
done
echo "--- Blake3Hasher, serial (dev.cairn.castore.Blake3, one thread)"
java -cp "$cp" dev.cairn.castore.Blake3Bench "$file" "$runs" serial
echo "--- Blake3Hasher, parallel (dev.cairn.castore.Blake3 + common fork-join pool)"
java -cp "$cp" dev.cairn.castore.Blake3Bench "$file" "$runs" parallel
echo "--- commons-codec $(basename "$(echo "$cp" | tr ':' '\n' | grep commons-codec)" .jar) Blake3 (previous)"
java -cp "$cp" dev.cairn.castore.Blake3Bench "$file" "$runs" codec

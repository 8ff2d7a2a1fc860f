#!/usr/bin/env bash
# BLAKE3 throughput, side by side on one file (page cache warm): b3sum --num-threads 1, b3sum on
# all cores, and Cairn's Blake3 as the server runs it (SIMD lanes with the Vector API) on one
# thread and on all cores (1 MiB updates as the blob writer sees data, and 64 MiB updates read
# ahead on another thread: one subtree per core), the scalar code on one thread and on all cores (what runs without
# --add-modules jdk.incubator.vector), and commons-codec (the implementation before Cairn's).
# Each Java mode runs in its own JVM; the first runs include JIT warm-up, so the summary takes
# the best run of each. Ratios are our MB/s / b3sum --num-threads 1 MB/s (> 1 = faster).
# Usage: bench/blake3.sh [SIZE_MIB=1024] [RUNS=5]   (from anywhere; builds classes if needed)
# Run it on an idle machine: on a busy one every figure, b3sum's included, is noise.
set -euo pipefail
size_mib=${1:-1024}
runs=${2:-5}
cd "$(dirname "$0")/.."
file=$(mktemp /tmp/cairn-blake3-bench.XXXXXX)
out=$(mktemp /tmp/cairn-blake3-bench-out.XXXXXX)
trap 'rm -f "$file" "$out" "$out".*' EXIT
bytes=$((size_mib * 1024 * 1024))

head -c "$bytes" /dev/urandom > "$file"
cat "$file" > /dev/null
cp=$(bench/classpath.sh)
vector=(--add-modules jdk.incubator.vector)

echo "file: ${size_mib} MiB, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1), $(b3sum --version)"
b3() { # label, b3sum args...
  local label=$1; shift
  echo "--- $label"
  for i in $(seq "$runs"); do
    local start end digest
    start=$(date +%s.%N)
    digest=$(b3sum "$@" --no-names "$file")
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v b="$bytes" -v d="$digest" -v i="$i" \
      'BEGIN { printf "run %d: %s  %.1f MB/s (%.2f s)\n", i, d, b / 1e6 / (e - s), e - s }'
  done | tee -a "$out.$label"
}
ours() { # label, jvm args..., mode
  local label=$1; shift
  local mode=${*: -1}
  local jvm=("${@:1:$#-1}")
  echo "--- $label"
  java "${jvm[@]}" -cp "$cp" dev.cairn.castore.Blake3Bench "$file" "$runs" "$mode" 2>/dev/null | tee -a "$out.$label"
}
best() { grep -o '[0-9.]* MB/s' "$out.$1" | sort -n | tail -1 | cut -d' ' -f1; }

b3 b3sum-1 --num-threads 1
b3 b3sum-read --no-mmap   # read(2) instead of mmap: one thread; on some VMs page faults bound the mmap path
b3 b3sum-all
ours simd-1 "${vector[@]}" serial
ours simd-all "${vector[@]}" parallel
ours simd-all-64m "${vector[@]}" parallel-large  # 64 MiB updates, the next read ahead on another thread
ours scalar-1 scalar
ours scalar-all scalar-parallel
ours codec codec

# The reference is b3sum on one thread at its best, mmap or read.
ref=$(printf "%s\n%s\n" "$(best b3sum-1)" "$(best b3sum-read)" | sort -n | tail -1)
echo
echo "summary (best of $runs, MB/s, ratio to b3sum on one thread, the better of mmap and read):"
for label in b3sum-1 b3sum-read b3sum-all simd-1 simd-all simd-all-64m scalar-1 scalar-all codec; do
  awk -v l="$label" -v m="$(best "$label")" -v r="$ref" 'BEGIN { printf "  %-13s %8.1f  %.2fx\n", l, m, m / r }'
done
digests=$(cat "$out".* | grep -o 'run [0-9]*: [0-9a-f]*' | cut -d' ' -f3 | sort -u | wc -l)
[ "$digests" = 1 ] || { echo "DIGESTS DIFFER:"; cat "$out".*; exit 1; }
echo "all digests equal"
rm -f "$out".*

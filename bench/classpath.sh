#!/usr/bin/env bash
# Prints the classpath of the benchmark mains (they live in src/test so that what they compare
# against, e.g. commons-codec, never ships in the server's jar). Builds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=target/bench.classpath
if [ ! -f "$cp_file" ] || [ ! -d target/test-classes ] || [ pom.xml -nt "$cp_file" ]; then
  mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
fi
echo "target/classes:target/test-classes:$(cat "$cp_file")"

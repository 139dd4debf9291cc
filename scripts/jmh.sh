#!/usr/bin/env bash
# Builds the benchmarks module and runs one JMH benchmark class, writing its results as JSON (used by
# scripts/bench-core.sh and scripts/bench-venus-objects.sh, which print tables from that file).
#   scripts/jmh.sh BENCHMARK_CLASS OUTPUT_JSON [extra JMH options]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-$(bash scripts/setup.sh --print-java-home)}
BENCH=$1
JSON=$2
shift 2
OUT="$ROOT/benchmarks/target"
./mvnw -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt >&2
CP="$OUT/classes:$(cat "$OUT/cp.txt")"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main "$BENCH" \
  -rf json -rff "$JSON" "$@" >&2

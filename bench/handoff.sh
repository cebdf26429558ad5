#!/usr/bin/env bash
# Handoff speed: a 4th node joins 3 nodes holding KEYS keys of 64-byte values (default 1,000,000);
# prints keys moved per second, MB/s, and the GET latency of READERS concurrent readers (default 2)
# before and during the handoff. Nodes, router and readers run in one JVM on loopback.
# STORE is the nodes' store, packed (default) or caffeine.
#
#   bench/handoff.sh [KEYS] [READERS] [STORE]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=cache-bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "building $jar..." >&2
  mvn -q -B -DskipTests -pl cache-bench -am package
fi
# HANDOFF_JAVA_OPTS replaces the JVM options (default: -Xms4g -Xmx8g -XX:+UseParallelGC)
# shellcheck disable=SC2086
exec java ${HANDOFF_JAVA_OPTS:--Xms4g -Xmx8g -XX:+UseParallelGC} -cp "$jar" io.ringcache.bench.HandoffBenchmark "${1:-1000000}" "${2:-2}" "${3:-packed}"

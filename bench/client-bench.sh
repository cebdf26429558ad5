#!/usr/bin/env bash
# Java client benchmark: ringcache (sync and async) beside Jedis (pooled) and Lettuce (async),
# GET and SET, against ONE cache node on this machine, all in the same run.
#
#   bench/client-bench.sh [ClientBenchmark options...]
#   e.g. bench/client-bench.sh --seconds 10 --warmup 3 --callers 16 --value-size 64 --depth 8
#
# Builds cache-node/target/cache-node.jar and cache-bench/target/benchmarks.jar if needed, starts
# a node on 127.0.0.1 (port BENCH_PORT, default 17001), runs io.ringcache.bench.ClientBenchmark,
# and stops the node. JVM options for the node: CACHE_NODE_JAVA_OPTS; for the load: BENCH_JAVA_OPTS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${BENCH_PORT:-17001}"
bench_jar="$root/cache-bench/target/benchmarks.jar"

if [ ! -f "$bench_jar" ] || [ ! -f "$root/cache-node/target/cache-node.jar" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  echo "building cache-node and cache-bench (mvn package)..." >&2
  (cd "$root" && mvn -q -B -DskipTests -pl cache-node,cache-bench -am package)
fi

# shellcheck disable=SC2086
java ${CACHE_NODE_JAVA_OPTS:-} -jar "$root/cache-node/target/cache-node.jar" --bind 127.0.0.1 --port "$port" \
  --max-memory 512m >"${TMPDIR:-/tmp}/ringcache-bench-node.log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:-} -cp "$bench_jar" io.ringcache.bench.ClientBenchmark --port "$port" "$@"

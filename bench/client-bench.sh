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

# Ready when the node answers PING (accepting connections is not enough on a cold, loaded JVM).
ready=""
for _ in $(seq 1 300); do
  if reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'PING\r\n' >&3 && IFS= read -r -t 2 line <&3 && echo "$line") 2>/dev/null ) \
      && [[ "$reply" == +PONG* ]]; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "the node on port $port did not answer PING; see ${TMPDIR:-/tmp}/ringcache-bench-node.log" >&2
  exit 1
fi

# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:-} -cp "$bench_jar" io.ringcache.bench.ClientBenchmark --port "$port" "$@"

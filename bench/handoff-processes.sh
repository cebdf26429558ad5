#!/usr/bin/env bash
# bench/handoff.sh's join against real processes: `cachectl cluster up` starts a router and 3 nodes,
# each in its own JVM with its launcher's defaults (bin/cache-node, bin/cache-router), a 4th node is
# started beside them (not in the ring), KEYS keys of 64-byte values are loaded through the proxy,
# READERS threads read random ones through the Java client (in the benchmark's own JVM) for 5 s
# unrecorded (the GET path compiling) and 5 s recorded (the "before" latency), then
# the router is asked to add the 4th node. Prints keys moved per second, the GET latency before and
# during the join, and the CPU the five processes spent per key moved. No collector or JIT compiler is
# shared between nodes, as in a user's cluster; the one-JVM harness (bench/handoff.sh) shares both.
#
#   bench/handoff-processes.sh [KEYS] [READERS] [STORE]     (defaults 1000000 2 packed)
#
# WARM=1 runs the same join and its leave once first, unreported: the processes' first join compiles
# its code paths in each of them. CACHE_NODE_JAVA_OPTS reaches the four nodes' JVMs, BENCH_JAVA_OPTS
# the benchmark's own (the readers' client). KEEP=1 keeps the processes' logs (the directory is printed).
# SCHED=1 records the machine's scheduling (perf sched record, from the "before" window to the join's
# end) and prints, per kind of thread, how long it waited for a core once woken (bench/sched-delay.py;
# needs perf, Debian's linux-perf, and root).
# Ports BASE_PORT (default 17700) .. +4 and +70, loopback only. Each node gets --max-memory 2g.
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000000}"
readers="${2:-2}"
store="${3:-packed}"
base="${BASE_PORT:-17700}"
if [ "${SCHED:-0}" = 1 ] && ! command -v perf >/dev/null; then
  echo "SCHED=1 needs perf (apt-get install linux-perf)" >&2
  exit 2
fi
jar=cache-bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "building $jar..." >&2
  mvn -q -B -DskipTests -pl cache-bench -am package
fi
dir=$(mktemp -d /tmp/handoff-processes.XXXXXX)
fourth_pid=""
cleanup() {
  if [ -n "$fourth_pid" ]; then kill "$fourth_pid" 2>/dev/null || true; wait "$fourth_pid" 2>/dev/null || true; fi
  bin/cachectl cluster down --dir "$dir" >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "logs kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); store $store"
CACHE_NODE_STORE="$store" bin/cachectl cluster up --port-base "$base" --dir "$dir" --max-memory 2g >"$dir/up.log" 2>&1 \
  || { cat "$dir/up.log" >&2; exit 1; }
port=$((base + 4))
CACHE_CLUSTER_SECRET_FILE="$dir/cluster-secret" CACHE_NODE_STORE="$store" bin/cache-node --cluster --bind 127.0.0.1 \
  --port "$port" --name "127.0.0.1:$port" --advertise "127.0.0.1:$port" --max-memory 2g >"$dir/node-$port.log" 2>&1 &
fourth_pid=$!
for _ in $(seq 1 150); do
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
  kill -0 "$fourth_pid" 2>/dev/null || { echo "the 4th node exited:" >&2; cat "$dir/node-$port.log" >&2; exit 1; }
  sleep 0.2
done
# the launcher execs java: its pid is the JVM's
pids="$(cat "$dir/router.pid"),$(cat "$dir/node-$((base + 1)).pid"),$(cat "$dir/node-$((base + 2)).pid"),$(cat "$dir/node-$((base + 3)).pid"),$fourth_pid"
seeds="127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2)),127.0.0.1:$((base + 3))"
sched=()
[ "${SCHED:-0}" = 1 ] && sched=(-Dbench.sched="$dir/sched.data")
java -Xms1g -Xmx2g ${BENCH_JAVA_OPTS:-} "${sched[@]}" -Dbench.warm="$([ "${WARM:-0}" = 1 ] && echo true || echo false)" -cp "$jar" io.ringcache.bench.ProcessHandoffBenchmark "$base" "$((base + 70))" "$dir/admin-token" \
  "127.0.0.1:$port" "$seeds" "$pids" "$keys" "$readers" | tee "$dir/bench.out"
if [ "${SCHED:-0}" = 1 ]; then
  python3 bench/sched-delay.py "$dir/sched.data" "$dir/bench.out" "$pids"
fi

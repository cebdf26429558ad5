#!/usr/bin/env bash
# Handoff speed: a 4th node joins 3 nodes holding KEYS keys of 64-byte values (default 1,000,000);
# prints keys moved per second, MB/s, and the GET latency of READERS concurrent readers (default 2)
# before and during the handoff. Nodes, router and readers run in one JVM on loopback.
# STORE is the nodes' store, packed (default), offheap or caffeine. WARM=1 runs the same join once
# first in the same JVM, unreported: the measured one then runs with the handoff's code compiled
# (the harness's one JVM compiles it for all four nodes and the router at once; see docs/benchmarks.md);
# WARM=N runs it N times first (code run once per batch or per step compiles only over several joins).
# READERS 0 measures the handoff's own CPU alone (no GETs beside it, so no latency figures).
#
# Then the anchor, the same shape on Redis Cluster: 3 redis-server masters in cluster mode on
# loopback (ports from ANCHOR_PORT, default a random base in 21000-28999, and their bus ports
# +10000), KEYS keys key:0 ... of 64-byte values, a 4th empty master joins, and
#   redis-cli --cluster rebalance --cluster-use-empty-masters --cluster-pipeline 1000
# is timed. The last line prints both rates and their ratio. ANCHOR=0 skips the anchor, RINGCACHE=0
# runs the anchor alone.
#
#   bench/handoff.sh [KEYS] [READERS] [STORE]
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000000}"
jar=cache-bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "building $jar..." >&2
  mvn -q -B -DskipTests -pl cache-bench -am package
fi

pids=()
tmp=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT INT TERM

tmp=$(mktemp -d /tmp/handoff-bench.XXXXXX)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# HANDOFF_JAVA_OPTS replaces the JVM options (default: -Xms4g -Xmx8g -XX:+UseParallelGC)
ours=0
warm=""
case "${WARM:-}" in
  "" | 0) ;;
  *[!0-9]*) echo "WARM must be a number of warm-up joins, not '$WARM'" >&2; exit 2 ;;
  *) warm=warm$WARM ;;
esac
if [ "${RINGCACHE:-1}" != 0 ]; then
  # shellcheck disable=SC2086
  timeout 600 java ${HANDOFF_JAVA_OPTS:--Xms4g -Xmx8g -XX:+UseParallelGC} -cp "$jar" io.ringcache.bench.HandoffBenchmark \
    "$keys" "${2:-2}" "${3:-packed}" $warm | tee "$tmp/ringcache.out"
  ours=$(sed -n 's/^event .* = \([0-9,]*\) keys\/s.*/\1/p' "$tmp/ringcache.out" | tr -d ,)
fi

if [ "${ANCHOR:-1}" = 0 ]; then
  exit 0
fi
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || { echo "anchor: redis-server/redis-cli not found" >&2; exit 1; }
base="${ANCHOR_PORT:-$((21000 + RANDOM % 8000))}"
ports=("$base" "$((base + 1))" "$((base + 2))" "$((base + 3))")
echo "anchor: Redis Cluster, $(redis-server --version | cut -d' ' -f3), ports ${ports[*]}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for p in "${ports[@]}"; do
  redis-server --bind 127.0.0.1 --port "$p" --cluster-enabled yes --cluster-config-file "$tmp/nodes-$p.conf" \
    --dir "$tmp" --save '' --appendonly no --daemonize no --logfile "$tmp/redis-$p.log" &
  pids+=($!)
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
  --cluster-replicas 0 --cluster-yes >"$tmp/create.log"
for _ in $(seq 1 100); do
  redis-cli -p "${ports[0]}" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1
done
# the keys, each sent to the master of its slot (slots as --cluster create assigns them to 3 masters)
python3 - "$keys" "$tmp" <<'EOF'
import sys
n, tmp = int(sys.argv[1]), sys.argv[2]
table = []
for i in range(256):
    c = i << 8
    for _ in range(8):
        c = ((c << 1) ^ 0x1021) if c & 0x8000 else c << 1
    table.append(c & 0xFFFF)
def slot(k):
    c = 0
    for b in k:
        c = ((c << 8) & 0xFFFF) ^ table[(c >> 8) ^ b]
    return c & 16383
value = b"v" * 64
files = [open(f"{tmp}/load-{i}.resp", "wb") for i in range(3)]
for i in range(n):
    k = b"key:%d" % i
    s = slot(k)
    f = files[0 if s <= 5460 else 1 if s <= 10922 else 2]
    f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$64\r\n%s\r\n" % (len(k), k, value))
for f in files:
    f.close()
EOF
loads=()
for i in 0 1 2; do redis-cli -p "${ports[$i]}" --pipe <"$tmp/load-$i.resp" >"$tmp/load-$i.log" & loads+=($!); done
for j in "${loads[@]}"; do wait "$j"; done
total=0
for i in 0 1 2; do total=$((total + $(redis-cli -p "${ports[$i]}" dbsize))); done
echo "anchor: loaded $total keys"
redis-cli --cluster add-node "127.0.0.1:${ports[3]}" "127.0.0.1:${ports[0]}" >"$tmp/add.log"
for _ in $(seq 1 100); do
  redis-cli --cluster check "127.0.0.1:${ports[0]}" 2>/dev/null | grep -q 'All nodes agree' && break; sleep 0.2
done
for p in "${ports[@]}"; do # every node, the new one included, must see the cluster up before slots move
  for _ in $(seq 1 200); do
    redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' && [ "$(redis-cli -p "$p" cluster nodes | wc -l)" = 4 ] && break
    sleep 0.1
  done
done
start=$(date +%s.%N)
timeout 600 redis-cli --cluster rebalance "127.0.0.1:${ports[0]}" --cluster-use-empty-masters --cluster-pipeline 1000 \
  >"$tmp/rebalance.log" || { echo "anchor: rebalance failed:" >&2; tail -5 "$tmp/rebalance.log" >&2; exit 1; }
end=$(date +%s.%N)
moved=$(redis-cli -p "${ports[3]}" dbsize)
theirs=$(awk -v m="$moved" -v a="$start" -v b="$end" 'BEGIN{printf "%.0f", m / (b - a)}')
echo "anchor: rebalance moved $moved keys in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}') s = $theirs keys/s"
awk -v o="${ours:-0}" -v t="$theirs" 'BEGIN{printf "handoff: ringcache %d keys/s, Redis Cluster %d keys/s, ratio %.2f\n", o, t, (t > 0 ? o / t : 0)}'

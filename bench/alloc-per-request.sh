#!/usr/bin/env bash
# Bytes the node's JVM allocates per request, GET and SET, measured with JFR: the allocated-bytes
# counters of every thread (jdk.ThreadAllocationStatistics, exact) at the start and the end of a
# recording around one redis-benchmark run, divided by its requests; plus the top allocation sites
# (jdk.ObjectAllocationSample, sampled, weighted). Independent of the machine's load.
#   bench/alloc-per-request.sh [STORE]        (packed, the default, or offheap): one node
#   bench/alloc-per-request.sh proxy          the router's proxy port in front of one node (packed):
#                                             the router's JVM is measured
# Load: redis-benchmark -t <test> -n 1000000 -P 16 -c 50 -r 100000 -d 64, after a warm-up of both.
# Environment: PORT (default 17311), REQUESTS (1000000). Loopback only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
store="${1:-packed}"
port="${PORT:-17311}"
n="${REQUESTS:-1000000}"
work=$(mktemp -d)
node=""
router=""
cleanup() {
  for p in $node $router; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

node_store=$store; [ "$store" = proxy ] && node_store=packed
node_port=$port; [ "$store" = proxy ] && node_port=$((port + 1))
CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx1g}" \
  "$root/bin/cache-node" --port "$node_port" --name "127.0.0.1:$node_port" --max-memory 512m --store "$node_store" \
  >"$work/node.log" 2>&1 &
node=$!
measured=$node
if [ "$store" = proxy ]; then
  "$root/bin/cache-router" --port "$port" --admin-port $((port + 70)) --data-dir "$work/router" \
    --node "127.0.0.1:$node_port" >"$work/router.log" 2>&1 &
  router=$!
  measured=$router
fi
for p in "$node_port" "$port"; do
  for _ in $(seq 1 900); do redis-cli -p "$p" set alloc:probe 1 2>/dev/null | grep -q OK && break; sleep 0.1; done
done
jvm=$(pgrep -P "$measured" java || echo "$measured")
load() { redis-benchmark -h 127.0.0.1 -p "$port" -t "$1" -n "$2" -P 16 -c 50 -r 100000 -d 64 -q | tr '\r' '\n' | tail -1; }
load set,get "$n" >/dev/null # warm-up: JIT, pools, 100,000 keys present
for test in set get; do
  jcmd "$jvm" JFR.start name=alloc settings=profile filename="$work/$test.jfr" >/dev/null
  rps=$(load "$test" "$n")
  jcmd "$jvm" JFR.stop name=alloc >/dev/null
  jfr print --json --events jdk.ThreadAllocationStatistics,jdk.ObjectAllocationSample --stack-depth 4 "$work/$test.jfr" \
    >"$work/$test.json"
  python3 - "$work/$test.json" "$test" "$n" "$store" "$rps" <<'PY'
import json, sys, collections
path, test, n, store, rps = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
events = json.load(open(path))["recording"]["events"]
first, last = {}, {}
sites = collections.Counter()
for e in events:
    v = e["values"]
    if e["type"] == "jdk.ThreadAllocationStatistics":
        t = v["thread"]["javaThreadId"] if v.get("thread") else None
        first.setdefault(t, v["allocated"]); last[t] = v["allocated"]
    else:
        frames = (v.get("stackTrace") or {}).get("frames") or []
        top = " < ".join(f'{f["method"]["type"]["name"].split(".")[-1]}.{f["method"]["name"]}' for f in frames[:3])
        sites[(v["objectClass"]["name"], top)] += v["weight"]
total = sum(last[t] - first[t] for t in last)
print(f"{store} {test.upper()}: {total / n:.1f} B allocated per request ({total} B over {n} requests; {rps})")
weight = sum(sites.values()) or 1
for (cls, top), w in sites.most_common(6):
    print(f"    {100 * w / weight:5.1f}%  {cls}  at {top}")
PY
done

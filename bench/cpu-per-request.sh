#!/usr/bin/env bash
# CPU per request: user + sys time of the server process (from /proc/<pid>/stat) over N SET and N GET
# requests (redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P 16 -n N), for redis-server and for a
# cache node on each store, all started together and measured in interleaved rounds (the order
# rotates each round). Less sensitive to a shared machine than requests/s: other processes take
# wall-clock time from the servers, not CPU time.
#   bench/cpu-per-request.sh [rounds] [N]     (default 3 rounds, N = 1000000)
# Ports: redis 17379, node (packed) 17301, node (caffeine) 17302, loopback only. Env:
# CACHE_NODE_JAVA_OPTS (default -Xmx2g; bin/cache-node adds the Parallel GC), NODE_THREADS (cores).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
n="${2:-1000000}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

redis-server --port 17379 --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
rpid=$!; pids+=($rpid)
declare -A port=([redis]=17379 [packed]=17301 [caffeine]=17302)
declare -A pid=([redis]=$rpid)
for store in packed caffeine; do
  CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx2g}" "$root/bin/cache-node" --port "${port[$store]}" --max-memory 1g \
    --store "$store" ${NODE_THREADS:+--threads "$NODE_THREADS"} 2>"/tmp/ringcache-cpu-$store.log" &
  pids+=($!)
done
for who in redis packed caffeine; do
  for _ in $(seq 1 600); do redis-cli -p "${port[$who]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
for store in packed caffeine; do
  p=$(ss -ltnpH "sport = :${port[$store]}" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  pid[$store]=$p
done

load() { redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -r 100000 -d 64 -t set,get -P 16 -n "$n" -q >/dev/null 2>&1; }

echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}'); $n SET + $n GET per measurement, -P 16"
echo "warm-up (not counted)"
for who in redis packed caffeine; do load "${port[$who]}"; load "${port[$who]}"; done

order=(redis packed caffeine)
results=$(mktemp)
for r in $(seq 1 "$rounds"); do
  for who in "${order[@]}"; do
    t0=$(ticks "${pid[$who]}"); s0=$(date +%s.%N)
    load "${port[$who]}"
    t1=$(ticks "${pid[$who]}"); s1=$(date +%s.%N)
    echo "$r $who $((t1 - t0)) $s0 $s1" >>"$results"
  done
  order=("${order[@]:1}" "${order[0]}")
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$hz" "$n" <<'PY'
import sys, statistics, collections
hz, n = int(sys.argv[2]), int(sys.argv[3])
cpu = collections.defaultdict(list)
wall = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, who, t, s0, s1 = line.split()
    cpu[who].append(int(t) / hz)
    wall[who].append(float(s1) - float(s0))
print(f"{'server':10s} {'CPU s per 2N requests (rounds)':40s} {'median us/request':>18s} {'median wall s':>14s}")
for who in ('redis', 'packed', 'caffeine'):
    med = statistics.median(cpu[who])
    print(f"{who:10s} {' '.join(f'{x:.2f}' for x in cpu[who]):40s} {med / (2 * n) * 1e6:18.2f} {statistics.median(wall[who]):14.2f}")
PY
rm -f "$results"

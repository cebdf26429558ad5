#!/usr/bin/env bash
# CPU per request: user + sys time of the server process (from /proc/<pid>/stat) over N SET and N GET
# requests (redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P 16 -n N), for redis-server and for a
# cache node on each store, all started together and measured in interleaved rounds (the order
# rotates each round). Less sensitive to a shared machine than requests/s: other processes take
# wall-clock time from the servers, not CPU time.
#   bench/cpu-per-request.sh [rounds] [N]     (default 3 rounds, N = 1000000)
# Ports: redis 17379, nodes 17301, 17302, ... (one per store and transport), loopback only; BASE_PORT
# moves them (redis BASE_PORT + 78, nodes from BASE_PORT), to run beside vs-redis.sh. Env:
# CACHE_NODE_JAVA_OPTS (default -Xmx2g; bin/cache-node adds the Parallel GC for caffeine),
# NODE_THREADS (default: the node's), STORES (default "packed caffeine"),
# TRANSPORTS (default: the node's default transport; e.g. "epoll io_uring" starts a node per store and
# transport, each with RINGCACHE_TRANSPORT set; an entry TRANSPORT:OPT1,OPT2 adds JVM options to that
# node only, e.g. "io_uring:-Dio.netty.iouring.ringSize=1024"), PIPELINES (default "16"; e.g. "16 1"),
# N1 (requests per command at -P 1, default N/5), SYSCALLS=1 (after the CPU rounds, count each
# server's system calls per request over the same load with perf stat: needs perf and root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
n="${2:-1000000}"
n1="${N1:-$((n / 5))}"
stores=(${STORES:-packed caffeine})
transports=(${TRANSPORTS:-default})
pipelines=(${PIPELINES:-16})
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

base="${BASE_PORT:-17301}"
redis-server --port $((base + 78)) --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
rpid=$!; pids+=($rpid)
declare -A port=([redis]=$((base + 78)))
declare -A pid=([redis]=$rpid)
servers=(redis)
next=$base
for store in "${stores[@]}"; do
  for transport in "${transports[@]}"; do
    who=$store; [ "$transport" = default ] || who="$store/$transport"
    servers+=("$who"); port[$who]=$next; next=$((next + 1))
    log="/tmp/ringcache-cpu-${who//[^a-zA-Z0-9_.=-]/-}.log"
    extra=""
    case "$transport" in *:*) extra="${transport#*:}"; extra="${extra//,/ }"; transport="${transport%%:*}" ;; esac
    if [ "$transport" = default ]; then
      env -u RINGCACHE_TRANSPORT CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx2g} $extra" "$root/bin/cache-node" \
        --port "${port[$who]}" --max-memory 1g --store "$store" ${NODE_THREADS:+--threads "$NODE_THREADS"} 2>"$log" &
    else
      RINGCACHE_TRANSPORT="$transport" CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx2g} $extra" "$root/bin/cache-node" \
        --port "${port[$who]}" --max-memory 1g --store "$store" ${NODE_THREADS:+--threads "$NODE_THREADS"} 2>"$log" &
    fi
    pids+=($!)
  done
done
for who in "${servers[@]}"; do
  for _ in $(seq 1 600); do redis-cli -p "${port[$who]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  [ "$who" = redis ] && continue
  pid[$who]=$(ss -ltnpH "sport = :${port[$who]}" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  echo "$who: port ${port[$who]}, pid ${pid[$who]}, $(redis-cli -p "${port[$who]}" info server | tr -d '\r' | grep '^multiplexing_api')"
done

requests() { if [ "$1" = 1 ]; then echo "$n1"; else echo "$n"; fi; }
load() { # port pipeline
  redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -r 100000 -d 64 -t set,get -P "$2" -n "$(requests "$2")" -q >/dev/null 2>&1
}

echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}'); per measurement: $n SET + $n GET at -P 16, $n1 + $n1 at -P 1; pipelines: ${pipelines[*]}"
echo "warm-up (not counted)"
for who in "${servers[@]}"; do load "${port[$who]}" 16; load "${port[$who]}" 16; done

order=("${servers[@]}")
results=$(mktemp)
for r in $(seq 1 "$rounds"); do
  for p in "${pipelines[@]}"; do
    for who in "${order[@]}"; do
      t0=$(ticks "${pid[$who]}"); s0=$(date +%s.%N)
      load "${port[$who]}" "$p"
      t1=$(ticks "${pid[$who]}"); s1=$(date +%s.%N)
      echo "cpu $r $p $who $((t1 - t0)) $s0 $s1 $(requests "$p")" >>"$results"
    done
  done
  order=("${order[@]:1}" "${order[0]}")
  echo "round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

if [ "${SYSCALLS:-0}" = 1 ]; then
  # the same load once more per server and pipeline, with perf counting the process's system calls
  # (every thread; tracepoint counters, no per-call trap as with strace, so batching is not disturbed)
  # (the workers must exist when perf attaches, which the warm-up made sure of: perf stat -p does not
  # follow threads started later)
  events="raw_syscalls:sys_enter"
  for call in read write writev recvfrom sendto epoll_wait epoll_pwait epoll_pwait2 epoll_ctl io_uring_enter futex; do
    events="$events,syscalls:sys_enter_$call"
  done
  for p in "${pipelines[@]}"; do
    for who in "${servers[@]}"; do
      out=$(mktemp)
      perf stat -x, -e "$events" -p "${pid[$who]}" -o "$out" &
      perf_pid=$!
      sleep 0.5
      load "${port[$who]}" "$p"
      kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
      awk -F, -v who="$who" -v p="$p" -v req="$(requests "$p")" \
        '$3 ~ /sys/ { sub(/^(raw_)?syscalls:sys_enter_?/, "", $3); if ($3 == "") $3 = "all"; print "sys", p, who, $3, $1, req }' \
        "$out" >>"$results"
      rm -f "$out"
    done
  done
fi
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$hz" "${servers[@]}" <<'PY'
import sys, statistics, collections
hz, servers = int(sys.argv[2]), sys.argv[3:]
cpu = collections.defaultdict(dict)     # (p, who) -> {round: us/request}
wall = collections.defaultdict(list)
raw = collections.defaultdict(list)
sys_ = collections.defaultdict(dict)    # (p, who) -> {call: per request}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == 'cpu':
        _, r, p, who, t, s0, s1, req = f
        us = int(t) / hz / (2 * int(req)) * 1e6
        cpu[(p, who)][r] = us
        raw[(p, who)].append(int(t) / hz)
        wall[(p, who)].append(float(s1) - float(s0))
    else:
        _, p, who, call, count, req = f
        try:
            sys_[(p, who)][call] = int(count) / (2 * int(req))
        except ValueError:
            pass
pipes = sorted({k[0] for k in cpu}, key=lambda p: -int(p))
w = max(18, max(len(x) for x in servers))
print(f"{'P':>3s} {'server':{w}s} {'CPU s per 2N requests (rounds)':34s} {'us/request':>10s} {'vs redis':>9s} {'wall s':>7s}")
for p in pipes:
    for who in servers:
        c = cpu[(p, who)]
        med = statistics.median(c.values())
        ratio = statistics.median(c[r] / cpu[(p, 'redis')][r] for r in c)
        print(f"{p:>3s} {who:{w}s} {' '.join(f'{x:.2f}' for x in raw[(p, who)]):34s} {med:10.2f} {ratio:9.2f} {statistics.median(wall[(p, who)]):7.2f}")
if sys_:
    calls = ['all', 'read', 'write', 'writev', 'recvfrom', 'sendto', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2',
             'epoll_ctl', 'io_uring_enter', 'futex']
    print()
    print("system calls per request (perf stat, every thread of the server, one pass)")
    print(f"{'P':>3s} {'server':{w}s} " + ' '.join(f'{c[:9]:>9s}' for c in calls))
    for p in pipes:
        for who in servers:
            s = sys_.get((p, who), {})
            print(f"{p:>3s} {who:{w}s} " + ' '.join(f"{s.get(c, float('nan')):9.3f}" for c in calls))
PY
rm -f "$results"

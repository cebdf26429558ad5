#!/usr/bin/env bash
# CPU and system calls per request of a proxy process: one or more router builds (each with its own
# three nodes) and twemproxy (nutcracker, in front of three other nodes), under
#   redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P <p> -n <N>
# in interleaved rounds (the order rotates each round). Counts only the proxy's process: user + sys
# ticks from /proc/<pid>/stat around each run (and, for the whole path, its three nodes' ticks and
# redis-benchmark's own CPU time: what a 2-core machine must fit per request), and, with SYSCALLS=1, one more pass per proxy under
# `perf stat` (tracepoint counters on every thread: no trap per call, batching undisturbed) for its
# system calls, context switches and, for the routers, eventfd wake-ups. Less disturbed by a shared
# machine than requests/s: other processes take wall-clock time from a proxy, not CPU time.
#
#   bench/proxy-cpu-per-request.sh [ROUNDS] LABEL=ROUTER_JAR[:TRANSPORT[:JVM_OPT,...[:ROUTER_ARG,...]]] ...
#
# e.g. bench/proxy-cpu-per-request.sh 3 main=/tmp/main-router.jar branch=cache-router/target/cache-router.jar \
#        two=cache-router/target/cache-router.jar:::--proxy-threads,2 uring=cache-router/target/cache-router.jar:io_uring
# (an empty TRANSPORT is the default; commas in JVM_OPTS and ROUTER_ARGS become spaces)
# Env: PIPELINES (default "1 16"), TESTS (redis-benchmark's -t, default set,get: "set" or "get" alone
# gives one command's figures), N1 (requests per command at -P 1, default 100000), N16 (at -P 16,
# default 400000), SYSCALLS=1, NODE_JAR (default cache-node/target/cache-node.jar), BASE_PORT (default
# 27400: routers BASE_PORT+10k, their nodes +10k+1..3, admin +70+k; twemproxy BASE_PORT+5, nodes +6..8).
# Loopback only; everything it starts is stopped on exit. Needs redis-benchmark, nutcracker, perf (root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-3}
shift || true
[ $# -ge 1 ] || { echo "usage: $0 ROUNDS LABEL=ROUTER_JAR[:TRANSPORT[:JVM_OPTS[:ROUTER_ARGS]]] ..." >&2; exit 1; }
base=${BASE_PORT:-27400}
pipelines=(${PIPELINES:-1 16})
tests=${TESTS:-set,get}
commands=$(($(tr -cd , <<<"$tests" | wc -c) + 1)) # requests per -n: one per command
n1=${N1:-100000}
n16=${N16:-400000}
node_jar=${NODE_JAR:-$root/cache-node/target/cache-node.jar}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
await_port() {
  local deadline=$((SECONDS + 180))
  until redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || { echo "nothing answers on port $1" >&2; tail -n 20 "$work"/*.log >&2; exit 1; }
    sleep 0.2
  done
}
declare -A node_pids      # proxy label -> its three nodes' pids
node() { # port label
  env -u RINGCACHE_TRANSPORT java -XX:+ExitOnOutOfMemoryError -Xms256m -Xmx512m -jar "$node_jar" --port "$1" \
    --name "127.0.0.1:$1" >"$work/node-$1.log" 2>&1 &
  pids+=($!)
  node_pids[$2]="${node_pids[$2]:-} $!"
}
node_ticks() { local t=0 p; for p in ${node_pids[$1]}; do t=$((t + $(ticks "$p"))); done; echo $t; }

declare -A port pid
proxies=()
k=0
for spec in "$@"; do
  label=${spec%%=*}; rest=${spec#*=}
  IFS=: read -r jar transport opts args <<<"$rest"
  opts=${opts//,/ }; args=${args//,/ }
  rport=$((base + 10 * (k + 1)))
  node_args=()
  for i in 1 2 3; do node $((rport + i)) "$label"; node_args+=(--node "127.0.0.1:$((rport + i))"); done
  if [ -n "$transport" ]; then
    RINGCACHE_TRANSPORT=$transport java -XX:+ExitOnOutOfMemoryError -Xms64m -Xmx512m $opts -jar "$jar" --port "$rport" \
      --admin-port $((base + 70 + k)) --data-dir "$work/router-$k" "${node_args[@]}" $args >"$work/router-$label.log" 2>&1 &
  else
    env -u RINGCACHE_TRANSPORT java -XX:+ExitOnOutOfMemoryError -Xms64m -Xmx512m $opts -jar "$jar" --port "$rport" \
      --admin-port $((base + 70 + k)) --data-dir "$work/router-$k" "${node_args[@]}" $args >"$work/router-$label.log" 2>&1 &
  fi
  pid[$label]=$!; pids+=($!); port[$label]=$rport
  proxies+=("$label")
  k=$((k + 1))
done
twem=$((base + 5))
for i in 1 2 3; do node $((twem + i)) twem; done
cat >"$work/nutcracker.yml" <<YML
ringcache:
  listen: 127.0.0.1:$twem
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:$((twem + 1)):1
   - 127.0.0.1:$((twem + 2)):1
   - 127.0.0.1:$((twem + 3)):1
YML
nutcracker -c "$work/nutcracker.yml" -o "$work/nutcracker.log" -s $((base + 80)) &
pid[twem]=$!; pids+=($!); port[twem]=$twem
proxies+=(twem)
for p in $(seq $((twem + 1)) $((twem + 3))); do await_port "$p"; done
for who in "${proxies[@]}"; do
  [ "$who" = twem ] || for i in 1 2 3; do await_port $((port[$who] + i)); done
  await_port "${port[$who]}"
done

requests() { if [ "$1" = 1 ]; then echo "$n1"; else echo "$n16"; fi; }
load() { # port pipeline: the benchmark's own user + sys seconds go to $work/bench-cpu
  /usr/bin/time -f '%U %S' -o "$work/bench-cpu" \
    redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -r 100000 -d 64 -t "$tests" -P "$2" -n "$(requests "$2")" -q >/dev/null 2>&1
}
echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for who in "${proxies[@]}"; do
  t=""; [ "$who" = twem ] || t=$(grep -o 'transport [a-z_]*' "$work/router-$who.log" | head -1 || true)
  echo "$who: port ${port[$who]}, pid ${pid[$who]} $t"
done
echo "per measurement: $n1 of each of $tests at -P 1, $n16 at -P 16; pipelines: ${pipelines[*]}"
echo "warm-up (not counted)"
for who in "${proxies[@]}"; do load "${port[$who]}" 16; load "${port[$who]}" 1; load "${port[$who]}" 16; done

results="$work/results"
: >"$results"
order=("${proxies[@]}")
for r in $(seq 1 "$rounds"); do
  for p in "${pipelines[@]}"; do
    for who in "${order[@]}"; do
      t0=$(ticks "${pid[$who]}"); n0=$(node_ticks "$who"); s0=$(date +%s.%N)
      load "${port[$who]}" "$p"
      t1=$(ticks "${pid[$who]}"); n1t=$(node_ticks "$who"); s1=$(date +%s.%N)
      echo "cpu $r $p $who $((t1 - t0)) $s0 $s1 $(requests "$p")" >>"$results"
      echo "whole $r $p $who $((n1t - n0)) $(awk '{print $1 + $2}' "$work/bench-cpu") $(requests "$p")" >>"$results"
    done
  done
  order=("${order[@]:1}" "${order[0]}")
  echo "round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

if [ "${SYSCALLS:-0}" = 1 ]; then
  events="raw_syscalls:sys_enter,context-switches"
  for call in read write writev recvfrom sendto sendmsg recvmsg epoll_wait epoll_pwait epoll_pwait2 epoll_ctl io_uring_enter futex; do
    events="$events,syscalls:sys_enter_$call"
  done
  for p in "${pipelines[@]}"; do
    for who in "${proxies[@]}"; do
      out=$(mktemp)
      perf stat -x, -e "$events" -p "${pid[$who]}" -o "$out" &
      perf_pid=$!
      sleep 0.5
      load "${port[$who]}" "$p"
      kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
      awk -F, -v who="$who" -v p="$p" -v req="$(requests "$p")" \
        '$3 ~ /sys|context/ { sub(/^(raw_)?syscalls:sys_enter_?/, "", $3); if ($3 == "") $3 = "all"; print "sys", p, who, $3, $1, req }' \
        "$out" >>"$results"
      rm -f "$out"
    done
  done
fi
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$hz" "$commands" "${proxies[@]}" <<'PY'
import sys, statistics, collections
hz, commands, proxies = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
cpu = collections.defaultdict(dict)
raw = collections.defaultdict(list)
wall = collections.defaultdict(list)
sys_ = collections.defaultdict(dict)
nodes = collections.defaultdict(list)   # (p, who) -> nodes' us/request per round
bench = collections.defaultdict(list)   # (p, who) -> redis-benchmark's us/request per round
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == 'whole':
        _, r, p, who, nt, bs, req = f
        nodes[(p, who)].append(int(nt) / hz / (commands * int(req)) * 1e6)
        bench[(p, who)].append(float(bs) / (commands * int(req)) * 1e6)
    elif f[0] == 'cpu':
        _, r, p, who, t, s0, s1, req = f
        cpu[(p, who)][r] = int(t) / hz / (commands * int(req)) * 1e6
        raw[(p, who)].append(int(t) / hz)
        wall[(p, who)].append(float(s1) - float(s0))
    else:
        _, p, who, call, count, req = f
        try:
            sys_[(p, who)][call] = int(count) / (commands * int(req))
        except ValueError:
            pass
pipes = sorted({k[0] for k in cpu}, key=int)
w = max(8, max(len(x) for x in proxies))
first = proxies[0]
print(f"{'P':>3s} {'proxy':{w}s} {'CPU s per round':24s} {'us/request':>10s} {'vs twem':>8s} {'vs ' + first:>10s} {'wall s':>7s}")
for p in pipes:
    for who in proxies:
        c = cpu[(p, who)]
        med = statistics.median(c.values())
        vt = statistics.median(c[r] / cpu[(p, 'twem')][r] for r in c if cpu[(p, 'twem')][r])
        vf = statistics.median(c[r] / cpu[(p, first)][r] for r in c if cpu[(p, first)][r])
        rounds = ' '.join(f'{x:.2f}' for x in raw[(p, who)])
        print(f"{p:>3s} {who:{w}s} {rounds:24s} {med:10.2f} {vt:8.2f} {vf:10.2f} {statistics.median(wall[(p, who)]):7.2f}")
print()
print("the whole request path, us of CPU per request (medians): proxy + its three nodes + redis-benchmark")
print(f"{'P':>3s} {'proxy':{w}s} {'proxy':>8s} {'nodes':>8s} {'bench':>8s} {'total':>8s} {'twem total / total':>19s}")
for p in pipes:
    tot = {}
    for who in proxies:
        c = statistics.median(cpu[(p, who)].values())
        n = statistics.median(nodes[(p, who)])
        b = statistics.median(bench[(p, who)])
        tot[who] = (c, n, b, c + n + b)
    for who in proxies:
        c, n, b, t = tot[who]
        print(f"{p:>3s} {who:{w}s} {c:8.2f} {n:8.2f} {b:8.2f} {t:8.2f} {tot['twem'][3] / t:19.2f}")
if sys_:
    calls = ['all', 'context-switches', 'read', 'write', 'writev', 'recvfrom', 'sendto', 'sendmsg', 'recvmsg',
             'epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'epoll_ctl', 'io_uring_enter', 'futex']
    print()
    print("system calls per request (perf stat, every thread of the proxy, one pass); 'write' on a router is mostly eventfd wake-ups")
    print(f"{'P':>3s} {'proxy':{w}s} " + ' '.join(f'{c[:9]:>9s}' for c in calls))
    for p in pipes:
        for who in proxies:
            s = sys_.get((p, who), {})
            print(f"{p:>3s} {who:{w}s} " + ' '.join(f"{s.get(c, float('nan')):9.3f}" for c in calls))
PY

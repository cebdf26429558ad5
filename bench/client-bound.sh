#!/usr/bin/env bash
# Is redis-benchmark the bottleneck at -P 1? Runs redis-benchmark -c 50 -r 100000 -d 64 -t set,get
# -P 1 against redis-server and cache nodes (one per --threads value), with the client on 1 thread and
# on more (--threads), in interleaved rounds, and reports for each run: requests/s of SET and GET, the
# client's CPU (user + sys seconds from GNU time, and how many cores that is over the run's wall
# time) and the server's CPU (user and sys ticks from /proc/<pid>/stat), per request and in cores.
# A client near 1.00 core with --threads 1 caps both servers alike: the ratio node/redis then
# measures the client, not the servers.
#   bench/client-bound.sh [rounds] [N]        (default 3 rounds, N = 200000 requests per test)
# Env: NODE_THREADS (default "1 2": one node per value), CLIENT_THREADS (default "1 2"; 1 = without
# --threads), PIPELINE (default 1), BASE_PORT (default 18601: nodes from it, redis at +78),
# CACHE_NODE_JAVA_OPTS (default -Xmx2g). Loopback only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
n="${2:-200000}"
node_threads=(${NODE_THREADS:-1 2})
client_threads=(${CLIENT_THREADS:-1 2})
pipeline="${PIPELINE:-1}"
base="${BASE_PORT:-18601}"
hz=$(getconf CLK_TCK)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
declare -A port=([redis]=$((base + 78)))
declare -A pid
redis-server --port "${port[redis]}" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
pid[redis]=$!; pids+=($!)
servers=(redis)
next=$base
for t in "${node_threads[@]}"; do
  who="node-t$t"; servers+=("$who"); port[$who]=$next; next=$((next + 1))
  CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx2g}" "$root/bin/cache-node" --bind 127.0.0.1 --port "${port[$who]}" \
    --max-memory 1g --threads "$t" 2>"/tmp/ringcache-client-bound-$who.log" &
  pids+=($!)
done
for who in "${servers[@]}"; do
  for _ in $(seq 1 600); do redis-cli -p "${port[$who]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  [ "$who" = redis ] || pid[$who]=$(ss -ltnpH "sport = :${port[$who]}" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 -t set,get -P 16 -n 1000000 -q >/dev/null
  redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 -t set,get -P 1 -n "$n" -q >/dev/null
done
echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "per run: redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P $pipeline -n $n [--threads T]"
results=$(mktemp)
order=("${servers[@]}")
for r in $(seq 1 "$rounds"); do
  for ct in "${client_threads[@]}"; do
    for who in "${order[@]}"; do
      threads=(); [ "$ct" = 1 ] || threads=(--threads "$ct")
      read -r u0 s0 < <(awk '{print $14, $15}' "/proc/${pid[$who]}/stat")
      timing=$(mktemp)
      out=$(/usr/bin/time -o "$timing" -f '%U %S %e' redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 \
        -t set,get -P "$pipeline" -n "$n" "${threads[@]}" -q --csv)
      read -r u1 s1 < <(awk '{print $14, $15}' "/proc/${pid[$who]}/stat")
      read -r cu cs wall < <(tail -1 "$timing"); rm -f "$timing"
      set_rps=$(echo "$out" | awk -F'","' '/"SET"/{print $2}')
      get_rps=$(echo "$out" | awk -F'","' '/"GET"/{print $2}')
      echo "$r $ct $who $set_rps $get_rps $cu $cs $wall $((u1 - u0)) $((s1 - s0))" | tee -a "$results" >/dev/null
      echo "round $r client-threads $ct $who: SET $set_rps GET $get_rps; client $cu user + $cs sys s over $wall s;" \
        "server $(awk -v t=$((u1 - u0)) -v h="$hz" 'BEGIN{print t / h}') user + $(awk -v t=$((s1 - s0)) -v h="$hz" 'BEGIN{print t / h}') sys s"
    done
  done
  order=("${order[@]:1}" "${order[0]}")
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$hz" "$n" <<'PY'
import sys, statistics, collections
hz, n = int(sys.argv[2]), int(sys.argv[3])
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, ct, who, s, g, cu, cs, wall, su, ss = line.split()
    cu, cs, wall = float(cu), float(cs), float(wall)
    su, ss = int(su) / hz, int(ss) / hz
    d[(ct, who)].append(dict(r=r, SET=float(s), GET=float(g), client_cores=(cu + cs) / wall, client_user=cu / wall,
                             client_sys=cs / wall, server_cores=(su + ss) / wall,
                             server_user_us=su * 1e6 / (2 * n), server_sys_us=ss * 1e6 / (2 * n),
                             client_us=(cu + cs) * 1e6 / (2 * n)))
med = statistics.median
print()
print(f"{'client':>7s} {'server':8s} {'SET req/s':>10s} {'GET req/s':>10s} {'client cores':>12s} {'(user/sys)':>11s} "
      f"{'client us/req':>13s} {'server cores':>12s} {'server user us/req':>18s} {'sys us/req':>10s}")
for (ct, who), xs in sorted(d.items()):
    m = lambda k: med(x[k] for x in xs)
    print(f"{('T' + ct):>7s} {who:8s} {m('SET'):10.0f} {m('GET'):10.0f} {m('client_cores'):12.2f} "
          f"{m('client_user'):5.2f}/{m('client_sys'):4.2f} {m('client_us'):13.2f} {m('server_cores'):12.2f} "
          f"{m('server_user_us'):18.2f} {m('server_sys_us'):10.2f}")
print()
for ct in sorted({k[0] for k in d}):
    for who in sorted({k[1] for k in d if k[0] == ct and k[1] != 'redis'}):
        a, b = d[(ct, who)], d[(ct, 'redis')]
        for k in ('SET', 'GET'):
            rs = [x[k] / y[k] for x, y in zip(a, b)]
            print(f"client T{ct}: {who}/redis req/s {k}: median {med(rs):.2f} (rounds: {' '.join(f'{x:.2f}' for x in rs)})")
PY
rm -f "$results"

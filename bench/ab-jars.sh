#!/usr/bin/env bash
# A/B of two cache-node builds: requests/s and CPU per request of each, in interleaved rounds,
# optionally with redis-server measured in the same rounds as the anchor.
#   bench/ab-jars.sh BEFORE.jar AFTER.jar [rounds]      (default 5 rounds)
# Starts both jars (-Xmx2g, --max-memory 1g, default threads) on 17311 (before) and 17312 (after),
# loopback only, warms both up, then per round (the order rotates) runs
#   redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P 16 -n $REQUESTS_P16 (default 1000000)
#   redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P 1  -n $REQUESTS_P1  (default 200000)
# against each and reads user and sys ticks of each server process from /proc/<pid>/stat around
# each run. Prints each round and the medians of after/before for requests/s and for CPU per request
# (the figure least disturbed by other processes on a shared machine).
# Env: BASE_PORT moves the ports (before BASE_PORT, after +1, redis +68); REDIS=1 adds redis-server
# 7.0 (--save "" --appendonly no, port 17379) to the rounds and prints
# each build's CPU per request against it; PIPELINES (default "16 1"); BEFORE_OPTS / AFTER_OPTS add
# JVM options to one build (e.g. AFTER_OPTS=-XX:+UseTransparentHugePages with the same jar twice);
# JAVA_OPTS replaces -Xmx2g for both; NODE_ARGS adds node options to both (e.g. "--threads 2").
# Build the "before" jar from a commit without touching the tree, e.g.:
#   git archive <commit> | tar -x -C /tmp/base && (cd /tmp/base && mvn -q -o -DskipTests -pl cache-node -am package)
set -euo pipefail
before="$1"
after="$2"
rounds="${3:-5}"
n16="${REQUESTS_P16:-1000000}"
n1="${REQUESTS_P1:-200000}"
pipelines=(${PIPELINES:-16 1})
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
hz=$(getconf CLK_TCK)
base="${BASE_PORT:-17311}"
declare -A port=([before]=$base [after]=$((base + 1)) [redis]=$((base + 68)))
declare -A jar=([before]="$before" [after]="$after")
declare -A opts=([before]="${BEFORE_OPTS:-}" [after]="${AFTER_OPTS:-}")
declare -A pid
servers=(before after)
for who in before after; do
  # shellcheck disable=SC2086
  java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:--Xmx2g} ${opts[$who]} -jar "${jar[$who]}" --bind 127.0.0.1 \
    --port "${port[$who]}" --max-memory 1g ${NODE_ARGS:-} 2>"/tmp/ringcache-ab-$who.log" >/dev/null &
  pid[$who]=$!
  pids+=($!)
done
if [ "${REDIS:-0}" = 1 ]; then
  redis-server --port "${port[redis]}" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
  pid[redis]=$!
  pids+=($!)
  servers+=(redis)
fi
for who in "${servers[@]}"; do
  for _ in $(seq 1 600); do redis-cli -p "${port[$who]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 -t set,get -P 16 -n "$n16" -q >/dev/null
done
echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); servers: ${servers[*]}"
results=$(mktemp)
order=("${servers[@]}")
for r in $(seq 1 "$rounds"); do
  for p in "${pipelines[@]}"; do
    n=$n16; [ "$p" = 1 ] && n=$n1
    for who in "${order[@]}"; do
      read -r u0 s0 < <(awk '{print $14, $15}' "/proc/${pid[$who]}/stat")
      out=$(redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 -t set,get -P "$p" -n "$n" -q --csv)
      read -r u1 s1 < <(awk '{print $14, $15}' "/proc/${pid[$who]}/stat")
      set_rps=$(echo "$out" | awk -F'","' '/"SET"/{print $2}')
      get_rps=$(echo "$out" | awk -F'","' '/"GET"/{print $2}')
      echo "$r $p $who $set_rps $get_rps $((u1 - u0)) $((s1 - s0)) $n" >>"$results"
      awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" -v hz="$hz" -v who="$who" -v r="$r" -v p="$p" \
        -v a="$set_rps" -v b="$get_rps" 'BEGIN{printf "round %d -P %s %-6s: SET %s GET %s req/s, CPU/request %.3f us (user %.3f, sys %.3f)\n",
        r, p, who, a, b, (u + s) / hz * 1e6 / (2 * n), u / hz * 1e6 / (2 * n), s / hz * 1e6 / (2 * n)}'
    done
  done
  order=("${order[@]:1}" "${order[0]}")
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$hz" <<'PY'
import sys, statistics, collections
hz = int(sys.argv[2])
d = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, p, who, s, g, u, sy, n = line.split()
    n = int(n)
    d[(p, who)][r] = dict(SET=float(s), GET=float(g), cpu=(int(u) + int(sy)) / hz * 1e6 / (2 * n),
                          user=int(u) / hz * 1e6 / (2 * n), sys=int(sy) / hz * 1e6 / (2 * n))
med = statistics.median
fmt = lambda xs: ' '.join(f'{x:.2f}' for x in xs)
for p in sorted({k[0] for k in d}, key=lambda p: -int(p)):
    servers = [w for w in ('before', 'after', 'redis') if (p, w) in d]
    rounds = sorted(d[(p, 'before')], key=int)
    for w in servers:
        x = d[(p, w)]
        print(f"-P {p} {w:6s}: CPU/request median {med(x[r]['cpu'] for r in rounds):.3f} us "
              f"(user {med(x[r]['user'] for r in rounds):.3f}, sys {med(x[r]['sys'] for r in rounds):.3f}); "
              f"rounds {fmt(x[r]['cpu'] for r in rounds)}")
    for num, den in (('after', 'before'), ('before', 'redis'), ('after', 'redis')):
        if (p, den) not in d:
            continue
        a, b = d[(p, num)], d[(p, den)]
        for k in ('SET', 'GET', 'cpu', 'user'):
            rs = [a[r][k] / b[r][k] for r in rounds]
            label = 'req/s ' + k if k in ('SET', 'GET') else ('CPU per request' if k == 'cpu' else 'user CPU per request')
            print(f"median {num}/{den} {label:22s} -P {p}: {med(rs):.2f}  (rounds: {fmt(rs)})")
PY
rm -f "$results"

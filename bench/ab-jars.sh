#!/usr/bin/env bash
# A/B of two cache-node builds: requests/s and CPU per request of each, in interleaved rounds.
#   bench/ab-jars.sh BEFORE.jar AFTER.jar [rounds]      (default 5 rounds)
# Starts both jars (-Xmx2g, --max-memory 1g, default threads) on 17311 (before) and 17312 (after),
# loopback only, warms both up, then per round (the order alternates) runs
#   redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P 16 -n $REQUESTS_P16 (default 1000000)
#   redis-benchmark -c 50 -r 100000 -d 64 -t set,get -P 1  -n $REQUESTS_P1  (default 200000)
# against each and reads user+sys ticks of each JVM from /proc/<pid>/stat around each run. Prints
# each round and the medians of after/before for requests/s and for CPU per request (the figure
# least disturbed by other processes on a shared machine).
# Build the "before" jar from a commit without touching the tree, e.g.:
#   git archive <commit> | tar -x -C /tmp/base && (cd /tmp/base && mvn -q -o -DskipTests -pl cache-node -am package)
set -euo pipefail
before="$1"
after="$2"
rounds="${3:-5}"
n16="${REQUESTS_P16:-1000000}"
n1="${REQUESTS_P1:-200000}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A port=([before]=17311 [after]=17312)
declare -A jar=([before]="$before" [after]="$after")
declare -A pid
for who in before after; do
  java -XX:+ExitOnOutOfMemoryError -Xmx2g -jar "${jar[$who]}" --bind 127.0.0.1 --port "${port[$who]}" --max-memory 1g \
    2>"/tmp/ringcache-ab-$who.log" >/dev/null &
  pid[$who]=$!
  pids+=($!)
done
for who in before after; do
  for _ in $(seq 1 600); do redis-cli -p "${port[$who]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 -t set,get -P 16 -n "$n16" -q >/dev/null
done
declare -A rps cpu
for r in $(seq 1 "$rounds"); do
  order=(before after)
  [ $((r % 2)) = 0 ] && order=(after before)
  for p in 16 1; do
    n=$n16; [ "$p" = 1 ] && n=$n1
    for who in "${order[@]}"; do
      t0=$(ticks "${pid[$who]}")
      out=$(redis-benchmark -p "${port[$who]}" -c 50 -r 100000 -d 64 -t set,get -P "$p" -n "$n" -q --csv)
      t1=$(ticks "${pid[$who]}")
      set_rps=$(echo "$out" | awk -F'","' '/"SET"/{print $2}')
      get_rps=$(echo "$out" | awk -F'","' '/"GET"/{print $2}')
      rps[$who,$p,$r]="$set_rps $get_rps"
      cpu[$who,$p,$r]=$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.3f", t / hz * 1e6 / (2 * n)}')
      echo "round $r -P $p $who: SET ${set_rps} GET ${get_rps} req/s, ${cpu[$who,$p,$r]} us CPU/request"
    done
  done
done
median() { sort -g | awk '{a[NR]=$1} END{print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for p in 16 1; do
  for i in 1 2; do
    name=SET; [ "$i" = 2 ] && name=GET
    ratios=$(for r in $(seq 1 "$rounds"); do
      b=$(echo "${rps[before,$p,$r]}" | cut -d' ' -f$i); a=$(echo "${rps[after,$p,$r]}" | cut -d' ' -f$i)
      awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f\n", a / b}'; done)
    echo "median after/before req/s  -P $p $name: $(echo "$ratios" | median)  (rounds: $(echo $ratios))"
  done
  ratios=$(for r in $(seq 1 "$rounds"); do
    awk -v a="${cpu[after,$p,$r]}" -v b="${cpu[before,$p,$r]}" 'BEGIN{printf "%.2f\n", a / b}'; done)
  echo "median after/before CPU per request  -P $p: $(echo "$ratios" | median)  (rounds: $(echo $ratios))"
done

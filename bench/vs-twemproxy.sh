#!/usr/bin/env bash
# Router proxy vs twemproxy: redis-benchmark through ringcache's router proxy in front of three
# ringcache nodes, and through twemproxy (nutcracker: ketama, fnv1a_64) in front of three other
# ringcache nodes, interleaved over several rounds; plus the same load straight to one node, as
# the anchor for the proxy's own cost. Prints each run and the median ratios.
#
#   bench/vs-twemproxy.sh [ROUNDS]        (default 5; environment: BASE_PORT, default 27100)
#
# Needs redis-benchmark (redis-tools) and nutcracker (Debian package "nutcracker"). Builds the jars
# through bin/ when they are missing. Loopback only; everything it starts is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-5}
base=${BASE_PORT:-27100}
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing (apt-get install redis-tools)" >&2; exit 1; }
nutcracker=$(command -v nutcracker || echo /usr/sbin/nutcracker)
[ -x "$nutcracker" ] || { echo "nutcracker is missing (apt-get install nutcracker)" >&2; exit 1; }

await_port() { # port: waits until something answers PING there
  local deadline=$((SECONDS + 60))
  until redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || { echo "nothing answers on port $1" >&2; exit 1; }
    sleep 0.2
  done
}

# build once, before anything is timed
"$root/bin/cache-node" --help >/dev/null
"$root/bin/cache-router" --help >/dev/null

ours=(); theirs=()
for i in 1 2 3; do
  ours+=($((base + i))); theirs+=($((base + 10 + i)))
done
for p in "${ours[@]}" "${theirs[@]}"; do
  CACHE_NODE_JAVA_OPTS="-Xms256m -Xmx512m" "$root/bin/cache-node" --port "$p" --name "127.0.0.1:$p" >"$work/node-$p.log" 2>&1 &
  pids+=($!)
done
router_port=$base
twem_port=$((base + 10))
node_args=()
for p in "${ours[@]}"; do node_args+=(--node "127.0.0.1:$p"); done
"$root/bin/cache-router" --port "$router_port" --admin-port $((base + 70)) --data-dir "$work/router" "${node_args[@]}" \
  >"$work/router.log" 2>&1 &
pids+=($!)
cat >"$work/nutcracker.yml" <<YML
ringcache:
  listen: 127.0.0.1:$twem_port
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:${theirs[0]}:1
   - 127.0.0.1:${theirs[1]}:1
   - 127.0.0.1:${theirs[2]}:1
YML
"$nutcracker" -c "$work/nutcracker.yml" -o "$work/nutcracker.log" -s $((base + 80)) &
pids+=($!)
for p in "${ours[@]}" "${theirs[@]}" "$router_port" "$twem_port"; do await_port "$p"; done

direct_port=${theirs[0]} # the anchor: one node, no proxy
echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
echo "proxy (router) :$router_port -> ${ours[*]}; twemproxy :$twem_port -> ${theirs[*]}; direct :$direct_port"

run() { # label port pipeline requests: prints "label P SET-rps GET-rps"
  local out
  out=$(redis-benchmark -p "$2" -c 50 -r 100000 -d 64 -t set,get -P "$3" -n "$4" -q 2>/dev/null | tr '\r' '\n')
  local set get
  set=$(echo "$out" | awk -F'[: ]+' '/^SET/ {print $2}' | tail -1)
  get=$(echo "$out" | awk -F'[: ]+' '/^GET/ {print $2}' | tail -1)
  echo "$1 $3 ${set:-0} ${get:-0}"
}

# warm-up: JIT and connections, not recorded
run warm "$router_port" 16 200000 >/dev/null
run warm "$twem_port" 16 200000 >/dev/null
run warm "$router_port" 1 50000 >/dev/null
run warm "$direct_port" 16 200000 >/dev/null

results="$work/results"
: >"$results"
for r in $(seq 1 "$rounds"); do
  for P in 16 1; do
    n=$([ "$P" = 16 ] && echo 400000 || echo 60000)
    if [ $((r % 2)) -eq 1 ]; then order="ours twem direct"; else order="direct twem ours"; fi
    for who in $order; do
      case $who in
        ours) line=$(run ours "$router_port" "$P" "$n") ;;
        twem) line=$(run twem "$twem_port" "$P" "$n") ;;
        direct) line=$(run direct "$direct_port" "$P" "$n") ;;
      esac
      echo "round $r $line" | tee -a "$results"
    done
  done
done

python3 - "$results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
# round r who P set get
data = {}
for _, r, who, P, s, g in rows:
    data[(int(r), who, int(P))] = (float(s), float(g))
rounds = sorted({k[0] for k in data})
print()
print("median requests/s over %d rounds, and median of the per-round ratios" % len(rounds))
print("%-4s %-4s %12s %12s %12s %14s %14s" % ("P", "test", "proxy", "twemproxy", "direct", "proxy/twem", "proxy/direct"))
for P in (16, 1):
    for i, test in enumerate(("SET", "GET")):
        ours = [data[(r, "ours", P)][i] for r in rounds]
        twem = [data[(r, "twem", P)][i] for r in rounds]
        direct = [data[(r, "direct", P)][i] for r in rounds]
        vs_twem = statistics.median(o / t for o, t in zip(ours, twem) if t)
        vs_direct = statistics.median(o / d for o, d in zip(ours, direct) if d)
        print("%-4d %-4s %12.0f %12.0f %12.0f %14.2f %14.2f" % (P, test, statistics.median(ours), statistics.median(twem),
              statistics.median(direct), vs_twem, vs_direct))
PY

#!/usr/bin/env bash
# Router proxy vs twemproxy: redis-benchmark through ringcache's router proxy in front of three
# ringcache nodes, and through twemproxy (nutcracker: ketama, fnv1a_64) in front of three other
# ringcache nodes, interleaved over several rounds; plus the same load straight to one node, as
# the anchor for the proxy's own cost. Prints each run and the median ratios.
#
#   bench/vs-twemproxy.sh [ROUNDS]        (default 5; environment: BASE_PORT, default 27100)
#
# N16 and N1: requests per command and run at -P 16 and -P 1 (defaults 2000000 and 60000). At -P 16 a
# run of 2,000,000 lasts 2-5 s. Runs of 400,000 (the default until the twenty-ninth round) last about
# half a second through the router, and on this 2-core machine their per-round ratio to twemproxy
# spread over 1.16-1.91 where 2,000,000 gave 1.61-1.69 (docs/benchmarks.md, twenty-ninth round).
#
# TRANSPORTS="epoll io_uring" (at most three) runs one router with its own three nodes per transport,
# each with RINGCACHE_TRANSPORT set (routers on BASE_PORT, +30, +50; admin ports +70, +71, +72),
# all in the same interleaved rounds; twemproxy's nodes and the direct node keep the default. An
# entry TRANSPORT/N also gives that router --proxy-threads N (e.g. TRANSPORTS="default/2 default/1").
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
  local deadline=$((SECONDS + 180))
  until redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || { echo "nothing answers on port $1" >&2; tail -n 20 "$work"/*"$1"*.log >&2 2>/dev/null; exit 1; }
    sleep 0.2
  done
}

# build once, before anything is timed
"$root/bin/cache-node" --help >/dev/null
"$root/bin/cache-router" --help >/dev/null

transports=(${TRANSPORTS:-default})
[ "${#transports[@]}" -le 3 ] || { echo "TRANSPORTS: at most three" >&2; exit 1; }
offsets=(0 30 50)
proxies=()               # labels: ours, or ours-<transport>
declare -A proxy_port
theirs=()
for i in 1 2 3; do theirs+=($((base + 10 + i))); done
for p in "${theirs[@]}"; do
  env -u RINGCACHE_TRANSPORT CACHE_NODE_JAVA_OPTS="-Xms256m -Xmx512m" "$root/bin/cache-node" --port "$p" \
    --name "127.0.0.1:$p" >"$work/node-$p.log" 2>&1 &
  pids+=($!)
done
ours_ports=()
for k in "${!transports[@]}"; do
  t=${transports[$k]}
  label=ours; [ "$t" = default ] || label="ours-$t"
  router_args=()
  case "$t" in */*) router_args=(--proxy-threads "${t#*/}"); t=${t%%/*} ;; esac
  rport=$((base + ${offsets[$k]}))
  proxies+=("$label"); proxy_port[$label]=$rport
  node_args=()
  for i in 1 2 3; do
    p=$((rport + i)); ours_ports+=("$p"); node_args+=(--node "127.0.0.1:$p")
    if [ "$t" = default ]; then
      env -u RINGCACHE_TRANSPORT CACHE_NODE_JAVA_OPTS="-Xms256m -Xmx512m" "$root/bin/cache-node" --port "$p" \
        --name "127.0.0.1:$p" >"$work/node-$p.log" 2>&1 &
    else
      RINGCACHE_TRANSPORT="$t" CACHE_NODE_JAVA_OPTS="-Xms256m -Xmx512m" "$root/bin/cache-node" --port "$p" \
        --name "127.0.0.1:$p" >"$work/node-$p.log" 2>&1 &
    fi
    pids+=($!)
  done
  if [ "$t" = default ]; then
    env -u RINGCACHE_TRANSPORT "$root/bin/cache-router" --port "$rport" --admin-port $((base + 70 + k)) \
      --data-dir "$work/router-$k" "${node_args[@]}" "${router_args[@]}" >"$work/router-$k.log" 2>&1 &
  else
    RINGCACHE_TRANSPORT="$t" "$root/bin/cache-router" --port "$rport" --admin-port $((base + 70 + k)) \
      --data-dir "$work/router-$k" "${node_args[@]}" "${router_args[@]}" >"$work/router-$k.log" 2>&1 &
  fi
  pids+=($!)
done
router_port=${proxy_port[${proxies[0]}]}
twem_port=$((base + 10))
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
for p in "${ours_ports[@]}" "${theirs[@]}" "$twem_port"; do await_port "$p"; done
for label in "${proxies[@]}"; do await_port "${proxy_port[$label]}"; done

direct_port=${theirs[0]} # the anchor: one node, no proxy
echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for k in "${!proxies[@]}"; do
  echo "proxy ${proxies[$k]} (router) :${proxy_port[${proxies[$k]}]} -> $(grep -o '[0-9]* event loops*' "$work/router-$k.log" | head -1), $(grep -o 'transport [a-z_]*: .*' "$work/router-$k.log" | head -1)"
done
echo "twemproxy :$twem_port -> ${theirs[*]}; direct :$direct_port"

run() { # label port pipeline requests: prints "label P SET-rps GET-rps"
  local out
  out=$(redis-benchmark -p "$2" -c 50 -r 100000 -d 64 -t set,get -P "$3" -n "$4" -q 2>/dev/null | tr '\r' '\n')
  local set get
  set=$(echo "$out" | awk -F'[: ]+' '/^SET/ {print $2}' | tail -1)
  get=$(echo "$out" | awk -F'[: ]+' '/^GET/ {print $2}' | tail -1)
  echo "$1 $3 ${set:-0} ${get:-0}"
}

# warm-up: JIT and connections, not recorded
for label in "${proxies[@]}"; do run warm "${proxy_port[$label]}" 16 200000 >/dev/null; done
run warm "$twem_port" 16 200000 >/dev/null
for label in "${proxies[@]}"; do run warm "${proxy_port[$label]}" 1 50000 >/dev/null; done
run warm "$direct_port" 16 200000 >/dev/null

results="$work/results"
: >"$results"
for r in $(seq 1 "$rounds"); do
  for P in 16 1; do
    n=$([ "$P" = 16 ] && echo "${N16:-2000000}" || echo "${N1:-60000}")
    if [ $((r % 2)) -eq 1 ]; then order="${proxies[*]} twem direct"; else order="direct twem $(printf '%s\n' "${proxies[@]}" | tac | tr '\n' ' ')"; fi
    for who in $order; do
      case $who in
        twem) line=$(run twem "$twem_port" "$P" "$n") ;;
        direct) line=$(run direct "$direct_port" "$P" "$n") ;;
        *) line=$(run "$who" "${proxy_port[$who]}" "$P" "$n") ;;
      esac
      echo "round $r $line" | tee -a "$results"
    done
  done
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" "${proxies[@]}" <<'PY'
import sys, statistics
proxies = sys.argv[2:]
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
# round r who P set get
data = {}
for _, r, who, P, s, g in rows:
    data[(int(r), who, int(P))] = (float(s), float(g))
rounds = sorted({k[0] for k in data})
print()
print("median requests/s over %d rounds, and median of the per-round ratios" % len(rounds))
print("%-4s %-4s %-16s %12s %12s %12s %14s %14s" % ("P", "test", "proxy", "proxy rps", "twemproxy", "direct", "proxy/twem",
      "proxy/direct"))
for P in (16, 1):
    for i, test in enumerate(("SET", "GET")):
        twem = [data[(r, "twem", P)][i] for r in rounds]
        direct = [data[(r, "direct", P)][i] for r in rounds]
        for label in proxies:
            ours = [data[(r, label, P)][i] for r in rounds]
            vs_twem = statistics.median(o / t for o, t in zip(ours, twem) if t)
            vs_direct = statistics.median(o / d for o, d in zip(ours, direct) if d)
            print("%-4d %-4s %-16s %12.0f %12.0f %12.0f %14.2f %14.2f" % (P, test, label, statistics.median(ours),
                  statistics.median(twem), statistics.median(direct), vs_twem, vs_direct))
        if len(proxies) == 2:
            a = [data[(r, proxies[0], P)][i] for r in rounds]
            b = [data[(r, proxies[1], P)][i] for r in rounds]
            rs = [y / x for x, y in zip(a, b) if x]
            print("%-4d %-4s %s / %s: %.2f (rounds: %s)" % (P, test, proxies[1], proxies[0], statistics.median(rs),
                  " ".join("%.2f" % x for x in rs)))
PY

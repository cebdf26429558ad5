#!/usr/bin/env bash
# How long the router takes to eject a crashed node (kill -9: its port refuses connections) and a
# paused one (SIGSTOP: it accepts connections but never answers; ejected only once its lease has
# certainly run out). Starts a router and three --cluster nodes through bin/ on loopback ports
# BASE..BASE+3 (admin BASE+70), measures each case RUNS times, prints the seconds, stops everything.
#
#   bench/ejection.sh [RUNS] [BASE]        e.g. bench/ejection.sh 3 27000
#   CACHE_ROUTER_LEASE=5s bench/ejection.sh  (the router's --lease; default 15s)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=${1:-3}
base=${2:-27000}
admin=$((base + 70))
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

start_node() { # PORT
  "$root/bin/cache-node" --cluster --port "$1" --name "127.0.0.1:$1" >"$dir/node-$1.log" 2>&1 &
  pids+=($!)
  node_pid[$1]=$!
}
state() { # NAME -> its state in the router's topology
  curl -fsS "http://127.0.0.1:$admin/topology" 2>/dev/null \
    | python3 -c "import json,sys; t=json.load(sys.stdin); print(next((n['state'] for n in t['nodes'] if n['name']=='$1'), 'NONE'))" 2>/dev/null
}
ejected() { [ "$(state "$1")" = EJECTED ]; }
leased() { # every node UP with a lease
  curl -fsS "http://127.0.0.1:$admin/nodes" 2>/dev/null \
    | python3 -c "import json,sys; ns=json.load(sys.stdin); sys.exit(0 if len(ns)==3 and all(n['state']=='UP' and (n.get('leaseMillis') or -1)>0 for n in ns) else 1)" 2>/dev/null
}
await() { # SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || { echo "timed out: $*" >&2; exit 1; }; sleep 0.05; done
}
declare -A node_pid
for i in 1 2 3; do start_node $((base + i)); done
"$root/bin/cache-router" --port "$base" --admin-port "$admin" --data-dir "$dir/router" \
  --node "127.0.0.1:$((base + 1))" --node "127.0.0.1:$((base + 2))" --node "127.0.0.1:$((base + 3))" \
  >"$dir/router.log" 2>&1 &
pids+=($!)
await 120 leased

measure() { # SIGNAL PORT -> seconds until the router lists it EJECTED
  local port=$1 signal=$2 name="127.0.0.1:$1" t0 t1
  t0=$(date +%s.%N)
  kill -"$signal" "${node_pid[$port]}"
  await 120 ejected "$name"
  t1=$(date +%s.%N)
  python3 -c "print(f'{$t1 - $t0:.2f}')"
}
for run in $(seq "$runs"); do
  port=$((base + 1 + (run - 1) % 3))
  crashed=$(measure "$port" 9)
  start_node "$port"                       # a supervisor restarts it: re-admitted, flushed
  await 120 leased
  paused=$(measure "$port" STOP)
  kill -CONT "${node_pid[$port]}"
  await 120 leased
  echo "run $run: kill -9 ejected after $crashed s; SIGSTOP ejected after $paused s (lease ${CACHE_ROUTER_LEASE:-15s})"
done

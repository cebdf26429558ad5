#!/usr/bin/env bash
# How long a node that comes back under its name at another address (a recreated container) takes
# to be re-admitted. Two nodes and a router (bin/ launchers, a 3 s lease) resolve names with a hosts
# file of their own (-Djdk.net.hosts.file): node B is "rcnodeb" at 127.0.0.2. B is killed, started
# again at 127.0.0.3, and the hosts file changed to say so; the script prints B's state and
# incarnation in the router's topology each time they change, with the seconds since the change.
#   bench/name-moved.sh                     # the servers' own lookup cache (5 s, LookupCache)
#   EXTRA=-Dsun.net.inetaddr.ttl=30 bench/name-moved.sh    # the JDK's default, 30 s
#   GONE=4 bench/name-moved.sh              # B's name resolves to nothing for 4 s while B is down,
#                                           # as a removed container's name leaves the network's DNS
# Ports 24000-24002 and 24070, 127.0.0.1-3 (loopback). Needs curl and python3. About 70 s.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
printf '127.0.0.1 localhost\n127.0.0.2 rcnodeb\n' >"$work/hosts"
opts="${EXTRA:-} -Djdk.net.hosts.file=$work/hosts"
export CACHE_NODE_JAVA_OPTS="$opts" CACHE_ROUTER_JAVA_OPTS="$opts -Xmx256m"
"$root/bin/cache-node" --help >/dev/null  # builds the jars first if needed, once
"$root/bin/cache-router" --help >/dev/null
"$root/bin/cache-node" --cluster --bind 127.0.0.1 --port 24001 --name 127.0.0.1:24001 >"$work/a.log" 2>&1 & pids+=($!)
"$root/bin/cache-node" --cluster --bind 127.0.0.2 --port 24002 --name rcnodeb:24002 --advertise rcnodeb:24002 >"$work/b.log" 2>&1 &
b=$!
pids+=("$b")
sleep 4
"$root/bin/cache-router" --bind 127.0.0.1 --port 24000 --admin-port 24070 --data-dir "$work/router" --lease 3s \
  --node 127.0.0.1:24001 --node rcnodeb:24002 >"$work/router.log" 2>&1 & pids+=($!)
state() {
  curl -fsS http://127.0.0.1:24070/topology | python3 -c 'import json, sys
t = json.load(sys.stdin)
print(next((n["state"], n.get("incarnation")) for n in t["nodes"] if n["name"] == "rcnodeb:24002"), len(t["handoffs"]), "handoffs")'
}
for _ in $(seq 60); do state 2>/dev/null | grep -q "'UP'.* 0 handoffs" && break; sleep 1; done
echo "before: $(state)"
kill -9 "$b"
if [ "${GONE:-0}" != 0 ]; then
  printf '127.0.0.1 localhost\n' >"$work/hosts"
  sleep "$GONE"
fi
"$root/bin/cache-node" --cluster --bind 127.0.0.3 --port 24002 --name rcnodeb:24002 --advertise rcnodeb:24002 >"$work/b2.log" 2>&1 & pids+=($!)
sleep 2
printf '127.0.0.1 localhost\n127.0.0.3 rcnodeb\n' >"$work/hosts"
start=$(date +%s.%N)
last=""
for _ in $(seq 90); do
  now=$(state 2>/dev/null || echo "no answer")
  if [ "$now" != "$last" ]; then
    printf '%5.1f s after the name moved: %s\n' "$(python3 -c "print($(date +%s.%N) - $start)")" "$now"
    last=$now
  fi
  sleep 0.5
done

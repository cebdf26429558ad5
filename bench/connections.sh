#!/usr/bin/env bash
# Memory per connection: 10,000 concurrent connections (each PINGed once) to a cache node and to
# redis-server, RSS growth per connection, same run.
#   bench/connections.sh [connections]    (default 10000)
# Ports: redis 17379, node 17301 (loopback only). Raises the open-files limit to the hard limit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conns="${1:-10000}"
ulimit -n "$(ulimit -Hn)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

measure() { # name pid port
  local before after fifo holder line
  before=$(rss "$2")
  fifo=$(mktemp -u); mkfifo "$fifo"
  python3 "$root/bench/conns.py" "$3" "$conns" <"$fifo" >"$fifo.out" &
  holder=$!
  exec 7>"$fifo"
  for _ in $(seq 1 1200); do grep -q '^open' "$fifo.out" 2>/dev/null && break; sleep 0.1; done
  line=$(cat "$fifo.out")
  sleep 1
  after=$(rss "$2")
  echo "$1: $line connections answered PONG; RSS $((before / 1048576)) MiB -> $((after / 1048576)) MiB; $(( (after - before) / conns )) bytes/connection"
  exec 7>&-
  wait "$holder" || true
  rm -f "$fifo" "$fifo.out"
}

echo "machine: $(nproc) cores, $(uname -sr); open-files limit $(ulimit -n)"
CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx1g}" "$root/bin/cache-node" --port 17301 --max-clients 10000 2>/tmp/ringcache-conns-node.log &
npid=$!; pids+=($npid); wait_port 17301
jpid=$(pgrep -P $npid java || echo $npid)
measure "cache node" "$jpid" 17301
echo "  node INFO: $(redis-cli -p 17301 info clients | tr -d '\r' | grep -E 'connected_clients|maxclients' | tr '\n' ' ')"
kill $npid

redis-server --port 17379 --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning --maxclients 10100 >/dev/null &
rpid=$!; pids+=($rpid); wait_port 17379
measure "redis-server" "$rpid" 17379

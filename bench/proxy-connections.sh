#!/usr/bin/env bash
# Memory per connection on the router's proxy port, beside twemproxy in the same run: starts a local
# cluster (cachectl cluster up), opens N connections to the proxy (each PINGed once, bench/conns.py),
# prints the router's RSS growth per connection and checks a SET/GET through the proxy meanwhile;
# then does the same against twemproxy (nutcracker) in front of the same three nodes.
#   bench/proxy-connections.sh [connections]   (default 10000; ports 17600-17680, loopback only)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
dir=$(mktemp -d)
twem_pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -z "$twem_pid" ] || kill "$twem_pid" 2>/dev/null || true
  pkill -f "bench/conns.py 176" 2>/dev/null || true
  bin/cachectl cluster down --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ulimit -n 65536 2>/dev/null || true
bin/cachectl cluster up --port-base 17600 --dir "$dir" >/dev/null
rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

# measure LABEL PID PORT [CHECK]: opens $n connections to PORT (each PINGed), prints PID's RSS growth
# per connection; runs CHECK while they are held; then closes them.
measure() {
  local label=$1 pid=$2 port=$3 check=${4:-true} before after conns
  before=$(rss "$pid")
  mkfifo "$dir/hold-$port"
  python3 bench/conns.py "$port" "$n" < "$dir/hold-$port" > "$dir/conns-$port.out" 2>&1 &
  conns=$!
  exec 3>"$dir/hold-$port"
  for _ in $(seq 1 240); do grep -q '^open' "$dir/conns-$port.out" 2>/dev/null && break; sleep 0.5; done
  cat "$dir/conns-$port.out"
  after=$(rss "$pid")
  echo "$label RSS: ${before} KiB idle, ${after} KiB with $n connections: $(( (after - before) * 1024 / n )) B per connection"
  $check
  exec 3>&-
  wait "$conns" 2>/dev/null || true
}

probe() {
  redis-cli -p 17600 set proxy-connections-probe ok >/dev/null
  echo "GET through the proxy meanwhile: $(redis-cli -p 17600 get proxy-connections-probe)"
}

measure router "$(cat "$dir/router.pid")" 17600 probe

# the anchor: twemproxy in front of the same three nodes
cat > "$dir/nutcracker.yml" <<YML
ringcache:
  listen: 127.0.0.1:17680
  hash: fnv1a_64
  distribution: ketama
  redis: true
  servers:
   - 127.0.0.1:17601:1
   - 127.0.0.1:17602:1
   - 127.0.0.1:17603:1
YML
"$(command -v nutcracker || echo /usr/sbin/nutcracker)" -c "$dir/nutcracker.yml" -o "$dir/nutcracker.log" -s 17681 &
twem_pid=$!
for _ in $(seq 1 50); do redis-cli -p 17680 ping >/dev/null 2>&1 && break; sleep 0.1; done
measure twemproxy "$twem_pid" 17680

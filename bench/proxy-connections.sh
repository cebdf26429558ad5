#!/usr/bin/env bash
# Memory per connection on the router's proxy port: starts a local cluster (cachectl cluster up),
# opens N connections to the proxy (each PINGed once, bench/conns.py), prints the router's RSS growth
# per connection, checks a SET/GET through the proxy meanwhile, then stops the cluster.
#   bench/proxy-connections.sh [connections]   (default 10000; ports 17600-17670, loopback only)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
dir=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; bin/cachectl cluster down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
ulimit -n 65536 2>/dev/null || true
bin/cachectl cluster up --port-base 17600 --dir "$dir" >/dev/null
rpid=$(cat "$dir/router.pid")
rss() { awk '/VmRSS/{print $2}' "/proc/$rpid/status"; }
before=$(rss)
mkfifo "$dir/hold"
python3 bench/conns.py 17600 "$n" < "$dir/hold" > "$dir/conns.out" 2>&1 &
exec 3>"$dir/hold"
for _ in $(seq 1 240); do grep -q '^open' "$dir/conns.out" 2>/dev/null && break; sleep 0.5; done
cat "$dir/conns.out"
after=$(rss)
echo "router RSS: ${before} KiB idle, ${after} KiB with $n connections: $(( (after - before) * 1024 / n )) B per connection"
redis-cli -p 17600 set proxy-connections-probe ok >/dev/null
echo "GET through the proxy meanwhile: $(redis-cli -p 17600 get proxy-connections-probe)"

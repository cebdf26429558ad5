#!/usr/bin/env bash
# Bytes per key: 1,000,000 keys "key:%012d" (16 bytes) with 64-byte values, loaded the same way into
# redis-server, memcached and a cache node per store in the same run. Reports RSS growth per key
# right after loading (and INFO used_memory per key for redis and the nodes; for the nodes also RSS
# after a forced full GC, which the steady-state figure must not need). The last line is each
# store's RSS per key as a ratio to memcached's, the lower anchor (and to redis-server's).
#   bench/memory.sh [--store packed,offheap] [keys]     (defaults: both stores, 1000000 keys)
# JVM options per store (override with CACHE_NODE_JAVA_OPTS, used for every store): packed and
# caffeine -Xmx1g G1 with tight heap free ratios; offheap a 64 MiB heap with the serial collector and
# an 8 MiB young generation (its entries are direct memory: the heap holds the index, 5-11 B per
# key; since GET and SET allocate nothing per request, G1 with -Xmx128m or the JVM's default heap
# measures within a few bytes per key of it, see docs/benchmarks.md) and -XX:MaxDirectMemorySize=1g.
# Ports: redis 17379, memcached 17211, nodes 17301.. (loopback only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stores="packed,offheap"
if [ "${1:-}" = "--store" ]; then stores="$2"; shift 2; fi
case "${1:-}" in --store=*) stores="${1#--store=}"; shift ;; esac
keys="${1:-1000000}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
per_key() { python3 -c "print(f'{($2 - $1) / $keys:.1f}')"; }
info_field() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

echo "machine: $(nproc) cores, $(uname -sr); $keys keys, 16-byte keys, 64-byte values"

redis-server --port 17379 --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
rpid=$!; pids+=($rpid); wait_port 17379
r0=$(rss $rpid); u0=$(info_field 17379 used_memory)
python3 "$root/bench/load.py" resp 17379 "$keys" 64
r1=$(rss $rpid); u1=$(info_field 17379 used_memory)
echo "redis-server $(redis-server --version | awk '{print $3}'): RSS/key $(per_key "$r0" "$r1")  used_memory/key $(per_key "$u0" "$u1")  (dbsize $(redis-cli -p 17379 dbsize))"
kill $rpid

memcached -u "$(id -un)" -p 17211 -l 127.0.0.1 -U 0 -m 1024 -t 2 &
mpid=$!; pids+=($mpid); wait_port 17211
m0=$(rss $mpid)
python3 "$root/bench/load.py" memcache 17211 "$keys" 64
m1=$(rss $mpid)
echo "memcached $(memcached -V | awk '{print $2}') (-m 1024 -t 2): RSS/key $(per_key "$m0" "$m1")"
kill $mpid

ratios=""
port=17301
for store in ${stores//,/ }; do
  case "$store" in
    offheap) default_opts="-Xmx64m -Xmn8m -XX:+UseSerialGC -XX:MaxDirectMemorySize=1g" ;;
    *) default_opts="-Xmx1g -XX:+UseG1GC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20" ;;
  esac
  opts="${CACHE_NODE_JAVA_OPTS:-$default_opts}"
  CACHE_NODE_JAVA_OPTS="$opts" "$root/bin/cache-node" --port "$port" --max-memory 768m --threads 2 --store "$store" \
    2>"/tmp/ringcache-memory-node-$store.log" &
  npid=$!; pids+=($npid); wait_port "$port"
  jpid=$(pgrep -P $npid java || echo $npid)
  jcmd "$jpid" GC.run >/dev/null 2>&1 || true
  n0=$(rss "$jpid"); nu0=$(info_field "$port" used_memory)
  python3 "$root/bench/load.py" resp "$port" "$keys" 64
  n1=$(rss "$jpid"); nu1=$(info_field "$port" used_memory)
  jcmd "$jpid" GC.run >/dev/null 2>&1 || true
  sleep 1
  n2=$(rss "$jpid")
  heap=$(jcmd "$jpid" GC.heap_info 2>/dev/null | awk '/(heap|generation) +total/ {$1 = $1; printf "%s; ", $0}')
  echo "cache node --store $store (JVM $opts): RSS/key $(per_key "$n0" "$n1")  RSS/key after full GC $(per_key "$n0" "$n2")  used_memory/key $(per_key "$nu0" "$nu1")  (dbsize $(redis-cli -p "$port" dbsize))"
  echo "  node heap after GC: $heap"
  kill "$npid"; wait "$npid" 2>/dev/null || true
  ratios="$ratios $store $(python3 -c "print(f'{($n1 - $n0) / ($m1 - $m0):.2f} ({($n1 - $n0) / ($r1 - $r0):.2f} of redis)')"),"
  port=$((port + 1))
done
echo "RSS per key right after loading, ratio to memcached (lower is better; 1.0 = memcached):${ratios%,}"

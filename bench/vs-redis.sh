#!/usr/bin/env bash
# Throughput of a cache node against redis-server on loopback, interleaved rounds.
#   bench/vs-redis.sh [rounds]      (default 5)
# Runs redis-benchmark -c 50 -r 100000 -d 64 -t set,get with -P 16 and -P 1 against redis-server
# (--save "" --appendonly no) and against a node, alternating which goes first in each round, and
# prints each round's requests/s and the median of the per-round ratios node/redis.
# Ports: redis 17379, node 17301 (loopback only). Env: NODE_THREADS (default: cores),
# CACHE_NODE_JAVA_OPTS (default -Xmx2g), REQUESTS_P16 (2000000), REQUESTS_P1 (300000).
# TLS=1: both servers speak TLS only (one self-signed certificate from keytool, its key exported
# with openssl for redis-server) and redis-benchmark connects with --tls.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
n16="${REQUESTS_P16:-2000000}"
n1="${REQUESTS_P1:-300000}"
redis_port=17379
node_port=17301
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis_listen=(--port "$redis_port")
node_tls=()
tls=()
if [ "${TLS:-0}" = 1 ]; then
  certs=$(mktemp -d)
  keytool -genkeypair -alias bench -keyalg EC -groupname secp256r1 -dname CN=127.0.0.1 -ext SAN=ip:127.0.0.1 \
    -validity 2 -storetype PKCS12 -keystore "$certs/bench.p12" -storepass changeit >/dev/null 2>&1
  keytool -exportcert -rfc -alias bench -keystore "$certs/bench.p12" -storepass changeit -file "$certs/cert.pem" >/dev/null 2>&1
  openssl pkcs12 -in "$certs/bench.p12" -nocerts -nodes -passin pass:changeit -out "$certs/key.pem" 2>/dev/null
  redis_listen=(--port 0 --tls-port "$redis_port" --tls-cert-file "$certs/cert.pem" --tls-key-file "$certs/key.pem"
    --tls-ca-cert-file "$certs/cert.pem" --tls-auth-clients no)
  node_tls=(--tls-keystore "$certs/bench.p12" --tls-keystore-password changeit)
  tls=(--tls --cacert "$certs/cert.pem")
fi
redis-server "${redis_listen[@]}" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
pids+=($!)
CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx2g}" "$root/bin/cache-node" --port "$node_port" --max-memory 1g \
  ${NODE_THREADS:+--threads "$NODE_THREADS"} "${node_tls[@]}" 2>/tmp/ringcache-bench-node.log &
pids+=($!)
for port in "$redis_port" "$node_port"; do
  for _ in $(seq 1 600); do redis-cli "${tls[@]}" -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

# one run: prints "SET <rps>" and "GET <rps>"
bench() { # port pipeline requests
  redis-benchmark "${tls[@]}" -h 127.0.0.1 -p "$1" -c 50 -r 100000 -d 64 -t set,get -P "$2" -n "$3" --csv 2>/dev/null |
    awk -F'","' 'NR>1 { gsub(/"/, "", $1); gsub(/"/, "", $2); print $1, $2 }'
}

echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
echo "redis: $(redis-server --version | awk '{print $3}'), node log: /tmp/ringcache-bench-node.log, TLS: ${TLS:-0}"
echo "warm-up (not counted)"
bench "$node_port" 16 "$n16" >/dev/null
bench "$redis_port" 16 "$n16" >/dev/null
bench "$node_port" 1 "$n1" >/dev/null

results=$(mktemp)
for r in $(seq 1 "$rounds"); do
  for p in 16 1; do
    n=$n16; [ "$p" = 1 ] && n=$n1
    if [ $((r % 2)) = 1 ]; then order="redis node"; else order="node redis"; fi
    for who in $order; do
      port=$redis_port; [ "$who" = node ] && port=$node_port
      bench "$port" "$p" "$n" | while read -r test rps; do echo "$r $p $who $test $rps"; done >>"$results"
    done
  done
  echo "round $r done"
done

echo
echo "round  pipeline  test  redis_rps  node_rps  ratio"
python3 - "$results" <<'PY'
import sys, statistics, collections
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(dict)
for r, p, who, test, rps in rows:
    by[(int(p), test, int(r))][who] = float(rps)
ratios = collections.defaultdict(list)
for (p, test, r), v in sorted(by.items()):
    if 'redis' in v and 'node' in v:
        ratio = v['node'] / v['redis']
        ratios[(p, test)].append(ratio)
        print(f"{r:5d}  -P {p:<6d} {test:4s}  {v['redis']:10.0f} {v['node']:9.0f}  {ratio:5.2f}")
print()
for (p, test), rs in sorted(ratios.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    print(f"median ratio node/redis  -P {p:<3d} {test}: {statistics.median(rs):.2f}  (rounds: {' '.join(f'{x:.2f}' for x in rs)})")
PY
rm -f "$results"

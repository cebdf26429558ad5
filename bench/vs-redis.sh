#!/usr/bin/env bash
# Throughput of a cache node against redis-server on loopback, interleaved rounds.
#   bench/vs-redis.sh [rounds]      (default 5)
# Runs redis-benchmark -c 50 -r 100000 -d 64 -t set,get with -P 16 and -P 1 against redis-server
# (--save "" --appendonly no) and against a node, alternating which goes first in each round, and
# prints each round's requests/s and the median of the per-round ratios node/redis.
# Ports: redis 17379, node 17301 (17302, ... with TRANSPORTS; loopback only). Env: NODE_THREADS
# (default: the node's), CACHE_NODE_JAVA_OPTS (default -Xmx2g), REQUESTS_P16 (2000000),
# REQUESTS_P1 (300000), TRANSPORTS (default: the node's default transport; e.g. "epoll io_uring"
# starts one node per transport, with RINGCACHE_TRANSPORT set, all in the same interleaved rounds),
# STORES (default: the node's default store; e.g. "packed offheap" starts one node per --store, in
# the same rounds; with TRANSPORTS too, one node per transport and store).
# TLS=1: both servers speak TLS only (one self-signed certificate from keytool, its key exported
# with openssl for redis-server) and redis-benchmark connects with --tls.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
n16="${REQUESTS_P16:-2000000}"
n1="${REQUESTS_P1:-300000}"
redis_port=17379
transports=(${TRANSPORTS:-default})
stores=(${STORES:-default})
declare -A port=([redis]=$redis_port) transport_of=() store_of=()
nodes=()
next=17301
for t in "${transports[@]}"; do
  for s in "${stores[@]}"; do
    who=node; [ "$t" = default ] || who="$who/$t"; [ "$s" = default ] || who="$who/$s"
    nodes+=("$who"); port[$who]=$next; transport_of[$who]=$t; store_of[$who]=$s; next=$((next + 1))
  done
done
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
for who in "${nodes[@]}"; do
  t=${transport_of[$who]}; st=${store_of[$who]}
  log=/tmp/ringcache-bench-$(echo "$who" | tr / -).log
  store_opt=(); [ "$st" = default ] || store_opt=(--store "$st")
  transport_env=(-u RINGCACHE_TRANSPORT); [ "$t" = default ] || transport_env=(RINGCACHE_TRANSPORT="$t")
  env "${transport_env[@]}" CACHE_NODE_JAVA_OPTS="${CACHE_NODE_JAVA_OPTS:--Xmx2g}" "$root/bin/cache-node" \
    --port "${port[$who]}" --max-memory 1g ${NODE_THREADS:+--threads "$NODE_THREADS"} "${store_opt[@]}" "${node_tls[@]}" 2>"$log" &
  pids+=($!)
done
for who in redis "${nodes[@]}"; do
  for _ in $(seq 1 600); do redis-cli "${tls[@]}" -p "${port[$who]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  [ "$who" = redis ] || echo "$who: port ${port[$who]}, $(redis-cli "${tls[@]}" -p "${port[$who]}" info server | tr -d '\r' | grep '^multiplexing_api')"
done

# one run: prints "SET <rps>" and "GET <rps>"
bench() { # port pipeline requests
  redis-benchmark "${tls[@]}" -h 127.0.0.1 -p "$1" -c 50 -r 100000 -d 64 -t set,get -P "$2" -n "$3" --csv 2>/dev/null |
    awk -F'","' 'NR>1 { gsub(/"/, "", $1); gsub(/"/, "", $2); print $1, $2 }'
}

echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
echo "redis: $(redis-server --version | awk '{print $3}'), node logs: /tmp/ringcache-bench-node*.log, TLS: ${TLS:-0}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warm-up (not counted)"
for who in "${nodes[@]}"; do
  bench "${port[$who]}" 16 "$n16" >/dev/null
done
bench "$redis_port" 16 "$n16" >/dev/null
for who in "${nodes[@]}"; do
  bench "${port[$who]}" 1 "$n1" >/dev/null
done

results=$(mktemp)
for r in $(seq 1 "$rounds"); do
  for p in 16 1; do
    n=$n16; [ "$p" = 1 ] && n=$n1
    if [ $((r % 2)) = 1 ]; then order="redis ${nodes[*]}"; else order="$(printf '%s\n' "${nodes[@]}" | tac | tr '\n' ' ')redis"; fi
    for who in $order; do
      bench "${port[$who]}" "$p" "$n" | while read -r test rps; do echo "$r $p $who $test $rps"; done >>"$results"
    done
  done
  echo "round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

echo
python3 - "$results" "${nodes[@]}" <<'PY'
import sys, statistics, collections
nodes = sys.argv[2:]
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(dict)
for r, p, who, test, rps in rows:
    by[(int(p), test, int(r))][who] = float(rps)
print("round  pipeline  test  redis_rps " + " ".join(f"{n + '_rps':>16s} {'ratio':>5s}" for n in nodes))
ratios = collections.defaultdict(list)
for (p, test, r), v in sorted(by.items()):
    if 'redis' in v and all(n in v for n in nodes):
        line = f"{r:5d}  -P {p:<6d} {test:4s}  {v['redis']:10.0f}"
        for n in nodes:
            ratio = v[n] / v['redis']
            ratios[(n, p, test)].append(ratio)
            line += f" {v[n]:16.0f} {ratio:5.2f}"
        if len(nodes) == 2:
            ratios[('/'.join(nodes), p, test)].append(v[nodes[1]] / v[nodes[0]])
        print(line)
print()
for (n, p, test), rs in sorted(ratios.items(), key=lambda kv: (kv[0][0] not in nodes, kv[0][0], -kv[0][1], kv[0][2])):
    label = f"{n}/redis" if n in nodes else f"{nodes[1]} / {nodes[0]}"
    print(f"median ratio {label:s}  -P {p:<3d} {test}: {statistics.median(rs):.2f}  (rounds: {' '.join(f'{x:.2f}' for x in rs)})")
PY
rm -f "$results"

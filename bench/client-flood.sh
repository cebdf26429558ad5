#!/usr/bin/env bash
# A node whose --max-clients slots a flood holds: can the router still connect? One cache node
# (cache-node/target/cache-node.jar, --max-clients 100, a cluster secret) per setting of
# --cluster-reserve (32, the default, and 0, refusing at once as before it existed). For each, and
# for a flood from the router's own address (127.0.0.1) and from another (127.0.0.2), with 1 and 4
# flood threads: the flood takes all 100 slots with idle clients, then each thread opens silent
# connections as fast as it can (closing them a hundred at a time), while a "router" connects every
# 50 ms, sends AUTH ringcache-cluster and RING.EPOCH and counts the attempts that were answered
# (the connection admitted) and those refused or timed out (2 s).
#   bench/client-flood.sh [seconds per run]      (default 8)
# Env: BASE_PORT (default 18801), NODE_JAR. Needs python3. Loopback only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-8}"
port="${BASE_PORT:-18801}"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
printf '%-16s %-10s %-8s %-10s %-12s %-6s %-6s %s\n' cluster-reserve source threads opened opened/s ok fail "p50 ms"
for reserve in 32 0; do
  java -Xmx1g -jar "${NODE_JAR:-$root/cache-node/target/cache-node.jar}" --bind 127.0.0.1 --port "$port" --threads 1 \
    --max-clients 100 --cluster-secret s --cluster-reserve "$reserve" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2>/dev/null && break; sleep 0.2; done
  for source in 127.0.0.2 127.0.0.1; do
    for threads in 1 4; do
      sleep 3 # the last run's connections close
      python3 - "$port" "$threads" "$seconds" "$source" "$reserve" <<'PY'
import socket, sys, threading, time
port, threads, seconds, source, reserve = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
stop = time.time() + seconds
held = []
while True:  # idle clients until the node refuses one: every slot is held
    s = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
    s.sendall(b"PING\r\n")
    if not s.recv(100).startswith(b"+PONG"):
        s.close()
        break
    held.append(s)
opened = [0]
def flood():
    socks = []
    while time.time() < stop:
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), source_address=(source, 0)))
            opened[0] += 1
            if len(socks) > 200:
                for x in socks[:100]:
                    x.close()
                del socks[:100]
        except OSError:
            time.sleep(0.001)
    for x in socks:
        x.close()
workers = [threading.Thread(target=flood) for _ in range(threads)]
for w in workers:
    w.start()
ok = fail = 0
took = []
while time.time() < stop:
    start = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(b"*3\r\n$4\r\nAUTH\r\n$17\r\nringcache-cluster\r\n$1\r\ns\r\n")
        auth = s.recv(200)
        s.sendall(b"*1\r\n$10\r\nRING.EPOCH\r\n")
        epoch = s.recv(200)
        s.close()
        if auth.startswith(b"+OK") and epoch and not epoch.startswith(b"-"):
            ok += 1
            took.append(time.time() - start)
        else:
            fail += 1
    except OSError:
        fail += 1
    time.sleep(0.05)
for w in workers:
    w.join()
for s in held:
    s.close()
took.sort()
p50 = "%.1f" % (1000 * took[len(took) // 2]) if took else "-"
print("%-16s %-10s %-8d %-10d %-12d %-6d %-6d %s" % (reserve, source, threads, opened[0], opened[0] / seconds, ok, fail, p50))
PY
    done
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

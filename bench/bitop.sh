#!/usr/bin/env bash
# BITOP's cost against the number of sources named: a cache node (cache-node/target/cache-node.jar,
# one worker loop) beside redis-server, interleaved rounds (the order reversed every other round),
# after 60 unrecorded calls of each operation on each server. Sources: a 1,000,000-byte random value
# and its first half, named alternately 2, 10 and 1,000 times. Prints the median wall time per call
# as the client sees it, then the ratio node/redis at 1,000 sources as the last line.
#   bench/bitop.sh [rounds]        (default 5)
# Env: BASE_PORT (default 18701: the node, redis at +1), NODE_JAR (default the one built here). Needs redis-server and python3-redis
# (/usr/bin/python3). Loopback only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
base="${BASE_PORT:-18701}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
java -Xmx1g -jar "${NODE_JAR:-$root/cache-node/target/cache-node.jar}" --bind 127.0.0.1 --port "$base" --threads 1 --max-memory 512m >/dev/null 2>&1 &
pids+=($!)
redis-server --port $((base + 1)) --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
pids+=($!)
for p in "$base" $((base + 1)); do
  for _ in $(seq 1 100); do redis-cli -p "$p" ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
done
/usr/bin/python3 - "$rounds" "$base" $((base + 1)) <<'PY'
import os, statistics, sys, time
import redis
rounds, node, anchor = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
data = os.urandom(1_000_000)
servers = [("ringcache", redis.Redis(port=node)), ("redis-server", redis.Redis(port=anchor))]
for _, r in servers:
    r.set("k", data)
    r.set("k2", data[:500_000])
    for _ in range(60):
        for op in ("XOR", "AND", "OR"):
            r.execute_command("BITOP", op, "d", "k", "k2")
times = {}
for rnd in range(rounds):
    for name, r in servers if rnd % 2 == 0 else servers[::-1]:
        for op in ("XOR", "AND", "OR"):
            for n in (2, 10, 1000):
                start = time.perf_counter()
                r.execute_command("BITOP", op, "d", *(["k", "k2"] * (n // 2)))
                times.setdefault((op, n, name), []).append(time.perf_counter() - start)
med = {k: statistics.median(v) * 1000 for k, v in times.items()}
print(f"{'op':4} {'sources':>7} {'ringcache ms':>13} {'redis ms':>10}")
for op in ("XOR", "AND", "OR"):
    for n in (2, 10, 1000):
        print(f"{op:4} {n:7} {med[(op, n, 'ringcache')]:13.1f} {med[(op, n, 'redis-server')]:10.1f}")
ratios = [med[(op, 1000, "ringcache")] / med[(op, 1000, "redis-server")] for op in ("XOR", "AND", "OR")]
print("bitop at 1000 sources: ringcache/redis time " + " ".join(f"{op} {x:.3f}" for op, x in zip(("XOR", "AND", "OR"), ratios)))
PY

#!/usr/bin/env python3
"""How long one command holds a node's event loop: a second connection PINGs every 5 ms while the
command runs, and the worst PING is the stall. Against a node already listening on PORT.

  bench/loop-stall.py PORT pattern   # flushes, writes 300 keys of 16,000 bytes, then SCAN and KEYS
                                     # with a 16,000-token pattern matching none of them
  bench/loop-stall.py PORT count     # on the keys the node holds (e.g. a million: redis-benchmark
                                     # -t set -n 1000000 -r 100000000 -P 64), SCAN 0 COUNT 1000000,
                                     # and again with MATCH key:*1
Start the node on one event loop (the default on 2 cores), e.g. java -jar cache-node.jar --port P.
Needs redis-py (Debian's python3-redis). Loopback only.
"""
import sys
import threading
import time

import redis


def probe(port, *command):
    """Runs command while PINGing on another connection: (its seconds, the worst PING, its reply)."""
    pings = []
    done = threading.Event()

    def pinger():
        c = redis.Redis(port=port)
        while not done.is_set():
            t = time.time()
            c.ping()
            pings.append(time.time() - t)
            time.sleep(0.005)

    thread = threading.Thread(target=pinger)
    thread.start()
    time.sleep(0.2)
    t = time.time()
    reply = redis.Redis(port=port).execute_command(*command)
    took = time.time() - t
    done.set()
    thread.join()
    return took, max(pings), reply


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    r = redis.Redis(port=port)
    if mode == "pattern":
        r.flushall()
        pipe = r.pipeline(transaction=False)
        for i in range(300):
            pipe.set("a" * 16000 + str(i), "v")
        pipe.execute()
        pattern = "*a" * 998 + "*" + "a" * 14000 + "*x"
        for command in (("SCAN", "0", "MATCH", pattern, "COUNT", "300"), ("KEYS", pattern)):
            took, worst, _ = probe(port, *command)
            print(f"{command[0]} with a 16,000-token pattern over 300 keys of 16 KB: {took:.3f} s;"
                  f" worst PING meanwhile {worst * 1000:.1f} ms")
    elif mode == "count":
        print("dbsize", r.dbsize())
        for command in (("SCAN", "0", "COUNT", "1000000"), ("SCAN", "0", "MATCH", "key:*1", "COUNT", "1000000")):
            took, worst, reply = probe(port, *command)
            print(f"{' '.join(command)}: {took:.3f} s, {len(reply[1])} keys; worst PING meanwhile {worst * 1000:.1f} ms")
    else:
        sys.exit("usage: loop-stall.py PORT pattern|count")


if __name__ == "__main__":
    main()

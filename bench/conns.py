#!/usr/bin/env python3
"""Opens N connections to 127.0.0.1:PORT, PINGs on each, holds them until stdin closes.

   conns.py PORT N     prints "open <n>" once all answered PONG
"""
import selectors, socket, sys

port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
ok = 0
for i in range(0, n, 500):
    chunk = socks[i:i + 500]
    for s in chunk:
        s.sendall(b"PING\r\n")
    for s in chunk:
        data = b""
        while not data.endswith(b"\r\n"):
            data += s.recv(64)
        if data == b"+PONG\r\n":
            ok += 1
print(f"open {ok}", flush=True)
sys.stdin.read()
for s in socks:
    s.close()

#!/usr/bin/env python3
"""Loads N keys "key:%012d" with V-byte values into a server, pipelined, then checks the count.

   load.py resp|memcache PORT N VALUE_BYTES

resp: SET over RESP (redis-server, cache node); memcache: the text protocol's "set ... noreply".
Loopback only.
"""
import socket, sys

proto, port, n, vbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
value = b"v" * vbytes
s = socket.create_connection(("127.0.0.1", port))
BATCH = 1000
sent = 0
pending = 0
buf = bytearray()


def drain_resp(count):
    # each SET reply is "+OK\r\n" (5 bytes)
    need = 5 * count
    got = 0
    while got < need:
        chunk = s.recv(min(1 << 20, need - got))
        if not chunk:
            raise SystemExit("connection closed")
        got += len(chunk)


for i in range(n):
    key = b"key:%012d" % i
    if proto == "resp":
        buf += b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value)
    else:
        buf += b"set %s 0 0 %d noreply\r\n%s\r\n" % (key, len(value), value)
    if (i + 1) % BATCH == 0 or i == n - 1:
        s.sendall(buf)
        count = (i % BATCH) + 1
        buf.clear()
        if proto == "resp":
            drain_resp(count)
if proto == "memcache":
    s.sendall(b"get key:%012d\r\n" % (n - 1))
    data = b""
    while not data.endswith(b"END\r\n"):
        data += s.recv(4096)
s.close()

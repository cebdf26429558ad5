#!/usr/bin/env python3
"""Writes Redis 7.0's command metadata that COMMAND INFO / LIST / DOCS serve (ringcache's own
arity and key positions come from its command tables; this adds what Redis knows and we would
otherwise make up): one line per command and subcommand, tab-separated:

    fullname  flags  acl-categories  group  since  complexity  summary

Usage: tools/redis-commands.py [redis-server binary] > cache-resp/src/main/resources/io/ringcache/resp/command/redis-commands.tsv
Starts its own redis-server on a Unix socket in a temporary directory (no TCP port)."""
import os, socket, subprocess, sys, tempfile, time

def request(sock, *args):
    b = b'*%d\r\n' % len(args)
    for a in args:
        a = a.encode()
        b += b'$%d\r\n%s\r\n' % (len(a), a)
    sock.sendall(b)

class Reader:
    def __init__(self, sock):
        self.f = sock.makefile('rb')
    def read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t in (b'+', b'-'):
            return rest.decode()
        if t == b':':
            return int(rest)
        if t == b'$':
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if t == b'*':
            return [self.read() for _ in range(int(rest))]
        raise ValueError(line)

def pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))

def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else '/usr/bin/redis-server'
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'redis.sock')
    p = subprocess.Popen([binary, '--port', '0', '--unixsocket', path, '--save', '', '--dir', d],
                         stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(path):
                break
            time.sleep(0.1)
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        r = Reader(s)
        request(s, 'info', 'server')
        version = [l for l in r.read().split('\r\n') if l.startswith('redis_version:')][0].split(':')[1]
        request(s, 'command', 'info')
        infos = {}
        def walk(info):
            infos[info[0]] = info
            for sub in info[9]:
                walk(sub)
        for info in r.read():
            walk(info)
        request(s, 'command', 'docs')
        docs = {}
        def walk_docs(name, doc):
            doc = pairs(doc)
            docs[name] = doc
            for sub_name, sub in pairs(doc.get('subcommands', [])).items():
                walk_docs(sub_name, sub)
        for name, doc in pairs(r.read()).items():
            walk_docs(name, doc)
        print('# Redis %s command metadata, written by tools/redis-commands.py; do not edit.' % version)
        print('# fullname\tflags\tacl-categories\tgroup\tsince\tcomplexity\tsummary')
        for name in sorted(infos):
            info, doc = infos[name], docs.get(name, {})
            fields = [name, ' '.join(info[2]), ' '.join(c.lstrip('@') for c in info[6]),
                      doc.get('group', ''), doc.get('since', ''), doc.get('complexity', ''), doc.get('summary', '')]
            assert all('\t' not in f and '\n' not in f for f in fields), fields
            print('\t'.join(fields))
    finally:
        p.terminate()
        p.wait()

main()

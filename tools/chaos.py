#!/usr/bin/python3
"""A randomized fault run against real ringcache processes, checked by a history checker.

Starts a router and three nodes through the launchers in bin/ (they build the jars first when the
sources are newer: build before a run, mvn -B -DskipTests package, and leave the sources alone while
it runs, or a restarted process waits for a build), six spare
node ports beside them, and clients that write and read through the router's proxy and straight to
the nodes (following -MOVED). Meanwhile two nemesis threads pick faults at random: kill -9 of a node
(restarted after 0-6 s, or at once), kill -9 of two nodes together, SIGSTOP of a node (0.5-20 s),
kill -9 or SIGSTOP of the router, partitions (every packet the router sends to a node dropped, or
every packet between two nodes, both ways, while each still answers everyone else: 0.5-20 s), lossy
links (5, 20 or 50 % of those packets dropped at random), slow ones (each of those packets held
20 ms, 100 ms, 300 ms or 1 s, ± 25 %, in order) and refused ones (each connect refused, each
connection reset, by a TCP reset; the router's too) for as long, and
joins, leaves and weight changes through the admin API, so that faults land in every phase of the
handoffs. Then every process is resumed, the cluster settles, every key is read once more, and the
history is checked:

- a read never returns a value older than one acknowledged before the read began, nor a key's
  value after its acknowledged delete (a write whose outcome is unknown, timed out or cut off, may
  take effect later than writes sent after it, as it may against Redis itself: allowed and counted);
- a read never returns a value that was never written, or whose write was refused (-TRYAGAIN);
- counters (COUNTERS threads, default 2, INCR through the proxy, each key one writer's): no value seen,
  an INCR's reply or a read, exceeds the INCRs of its key sent by then and not refused (none applied
  twice, none refused yet applied);
- a key whose last acknowledged write is a SET is missing, or a counter below the reply of an INCR
  acknowledged before it was seen, only across the loss of a node that could hold it: killed, ejected
  by the router, replaced by a restarted process or failed while leaving, between that write's start
  and the read's end, while the key's owner on the ring or a handoff's source or target for it (the
  topologies the router served, polled every 0.1 s, 5 s of margin): nothing may be lost without a
  failure of its holder;
- with QUIET=1 (no node is killed, no pause reaches a node's lease: only router kills and pauses,
  short node pauses, partitions, lossy, slow or refused links between nodes, cuts, losses, delays
  and refusals on the router's links to a node shorter than its lease, joins, leaves and weight
  changes), never.

Usage:  tools/chaos.py SEED DURATION_SECONDS [BASE_PORT]
        tools/chaos.py --check HISTORY.json   (the checker alone, on a run's saved history; QUIET=1 as the run had it)
Env:    QUIET=1 (as above), NEMESES (fault threads, default 2), DIRECT (clients straight to the
        nodes, default 3), COUNTERS (INCR clients, default 2), CHAOS_DIR (logs, history.json;
        default /tmp/ringcache-chaos-SEED),
        CACHE_NODE_STORE=offheap (the nodes' store: the variable of their --store; packed by
        default), PARTITIONS=0 (no partitions: they need root, iptables and cgroup v2 at CGROUP2,
        default /sys/fs/cgroup/unified, where each process gets its own cgroup that iptables'
        cgroup match names; the rules match only loopback ports of this run and are removed at
        the end; slow links queue packets to this process with NFQUEUE, queue numbers
        7100 + 10 * (SEED % 100) and the nine after it), LINKS=cut,lossy,slow,refuse (which link faults;
        refuse-nodes refuses only the links between nodes, as runs before RING.PROBE did)
Exit:   0 when the history passes, 1 on a violation, 2 when the cluster did not start (or on bad arguments).
Needs:  python3-redis (redis-py), java; ports BASE..BASE+6 and BASE+70 free (default 23000).
"""
import bisect
import collections
import http.client
import json
import os
import random
import secrets
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

import redis

CHECK_ONLY = len(sys.argv) == 3 and sys.argv[1] == '--check'  # tools/chaos.py --check HISTORY.json
if not CHECK_ONLY and (len(sys.argv) not in (3, 4) or not all(a.isdigit() for a in sys.argv[1:2] + sys.argv[3:])
                       or not sys.argv[2].replace('.', '', 1).isdigit()):
    print(__doc__, file=sys.stderr)
    sys.exit(2)
SEED = 0 if CHECK_ONLY else int(sys.argv[1])
DURATION = 0 if CHECK_ONLY else float(sys.argv[2])
BASE = int(sys.argv[3]) if len(sys.argv) > 3 else 23000
QUIET = os.environ.get('QUIET') == '1'
NEMESES = int(os.environ.get('NEMESES', '2'))
DIRECT = int(os.environ.get('DIRECT', '3'))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get('CHAOS_DIR', f'/tmp/ringcache-chaos-{SEED}')
CGROUP2 = os.environ.get('CGROUP2', '/sys/fs/cgroup/unified')
PARTITIONS = os.environ.get('PARTITIONS', '1') == '1'
CG = f'ringcache-chaos-{SEED}'  # under CGROUP2: one child per process (router, node-PORT)

PROXY, ADMIN = BASE, BASE + 70
PORTS = [BASE + i for i in range(1, 7)]
INITIAL = PORTS[:3]
WRITERS, READERS, KEYS_PER_WRITER = 6, 3, 60
COUNTERS = int(os.environ.get('COUNTERS', '2'))  # threads that INCR keys c<w>:<i> through the proxy
# how late a write whose outcome is unknown may still take effect, for the checker: held in a paused
# node's socket or retransmitted after a partition heals, which last at most 20 s here
LATE_LIMIT = 30

rng = random.Random(SEED)
T0 = time.monotonic()


def now():
    return time.monotonic() - T0


os.makedirs(DIR + '/logs', exist_ok=True)
os.makedirs(DIR + '/router', exist_ok=True)
TOKEN = secrets.token_hex(16)
for name, content in (('cluster-secret', secrets.token_hex(16)), ('admin-token', TOKEN)):
    with open(f'{DIR}/{name}', 'w') as f:
        f.write(content)
    os.chmod(f'{DIR}/{name}', 0o600)
# the processes start through the launchers in bin/, as a supervisor starts them (their JVM flags:
# -XX:+ExitOnOutOfMemoryError, -XX:MetaspaceSize=64m, the store's collector and direct memory), with
# a node's heap at 256 MiB unless CACHE_NODE_JAVA_OPTS says otherwise
ENV = dict(os.environ, CACHE_CLUSTER_SECRET_FILE=DIR + '/cluster-secret', CACHE_ADMIN_TOKEN_FILE=DIR + '/admin-token')
ENV.setdefault('CACHE_NODE_JAVA_OPTS', '-Xmx256m')
LOG = open(DIR + '/nemesis.log', 'w')


def log(*parts):
    line = f'{now():8.3f} ' + ' '.join(str(p) for p in parts)
    print(line, flush=True)
    LOG.write(line + '\n')
    LOG.flush()


# ---- processes ---------------------------------------------------------------------------------

nodes = {}  # port -> Popen
router = None


def in_cgroup(name, args):
    """args, run in the cgroup CG/name (joined before exec, so every socket of the process is in it)."""
    if not PARTITIONS:
        return args
    path = f'{CGROUP2}/{CG}/{name}'
    os.makedirs(path, exist_ok=True)
    return ['bash', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', path] + args


def start_node(port):
    out = open(f'{DIR}/logs/node-{port}.log', 'a')
    nodes[port] = subprocess.Popen(in_cgroup(f'node-{port}', [
        f'{ROOT}/bin/cache-node', '--cluster', '--bind', '127.0.0.1', '--port', str(port), '--name', f'127.0.0.1:{port}',
        '--advertise', f'127.0.0.1:{port}']),
        env=ENV, stdout=out, stderr=subprocess.STDOUT)


def start_router():
    global router
    out = open(f'{DIR}/logs/router.log', 'a')
    args = [f'{ROOT}/bin/cache-router', '--bind', '127.0.0.1', '--port', str(PROXY),
            '--admin-port', str(ADMIN), '--data-dir', DIR + '/router']
    for port in INITIAL:
        args += ['--node', f'127.0.0.1:{port}']
    router = subprocess.Popen(in_cgroup('router', args), env=ENV, stdout=out, stderr=subprocess.STDOUT)


# ---- partitions --------------------------------------------------------------------------------
# A DROP rule in OUTPUT for the packets a process (its cgroup) sends to a port: its connections there
# go silent (no reset, no error) and new ones time out, as a partition or a dead firewall state does.
# A refused link: a REJECT rule with a TCP reset instead, so the process's connects there are refused
# at once and its connections there reset when it next sends, as a restarting proxy or a firewall that
# rejects does, while both ends still answer everyone else (the router's health checks of two nodes
# refused to each other included). The router took its own refused connections for a dead node and
# ejected it at once, while the node, unaware, served clients that reached it within its lease: keys
# were lost, or read stale (seeds 114 and 116). Now it asks other nodes to dial the node (RING.PROBE)
# and fails it at once only if they are refused too; a refusal of its own path alone is silence, so
# refused router links shorter than a lease are QUIET faults too.

cuts, cuts_lock = [], threading.Lock()
# LINKS=cut,lossy,slow,refuse: which of the link faults to pick (cuts twice as often between nodes,
# as before the other links were added); refuse-nodes: refused links between nodes only
LINKS = os.environ.get('LINKS', 'cut,lossy,slow,refuse').split(',')
LINK_FAULTS = [kind for kind in ['cut_nodes', 'cut_nodes', 'cut_router', 'lossy_nodes', 'lossy_router', 'slow_nodes',
                                 'slow_router', 'refuse_nodes', 'refuse_router']
               if kind.split('_')[0] in LINKS or kind == 'refuse_nodes' and 'refuse-nodes' in LINKS]


def cut_rule(sender, port):
    return ['OUTPUT', '-p', 'tcp', '-m', 'cgroup', '--path', f'{CG}/{sender}', '--dport', str(port), '-j', 'DROP']


def refuse_rule(sender, port):
    return ['OUTPUT', '-p', 'tcp', '-m', 'cgroup', '--path', f'{CG}/{sender}', '--dport', str(port),
            '-j', 'REJECT', '--reject-with', 'tcp-reset']


def heal(rule):
    subprocess.run(['iptables', '-w', '-D'] + rule, check=False, stderr=subprocess.DEVNULL)
    with cuts_lock:
        if rule in cuts:
            cuts.remove(rule)


def heal_all():
    with cuts_lock:
        left = list(cuts)
    for rule in left:
        heal(rule)


# ---- lossy and slow links -----------------------------------------------------------------------
# A lossy link: a rule that drops each packet a process sends to a port with a probability (TCP
# retransmits, so its connections stall for a retransmission timeout now and then, and a connect
# may time out). A slow link: a rule that queues those packets (NFQUEUE) to a thread of this
# process, which lets each through only after a delay, so every round trip on the link takes that
# much longer (the kernel here has no netem). Both are rules like the partitions', matched by the
# sender's cgroup, and removed at the end.

NF_QUEUE_BASE = 7100 + (SEED % 100) * 10  # queue numbers of this run: NF_QUEUE_BASE..+9


def loss_rule(sender, port, probability):
    return ['OUTPUT', '-p', 'tcp', '-m', 'cgroup', '--path', f'{CG}/{sender}', '--dport', str(port),
            '-m', 'statistic', '--mode', 'random', '--probability', f'{probability:.2f}', '-j', 'DROP']


def queue_rule(sender, port, queue):
    # --queue-bypass: were the delaying thread gone, the packets pass instead of being dropped
    return ['OUTPUT', '-p', 'tcp', '-m', 'cgroup', '--path', f'{CG}/{sender}', '--dport', str(port),
            '-j', 'NFQUEUE', '--queue-num', str(queue), '--queue-bypass']


def add_rule(rule):
    subprocess.run(['iptables', '-w', '-I'] + rule, check=True)
    with cuts_lock:
        cuts.append(rule)


class Delayer:
    """Holds every packet of one NFQUEUE queue for delay_s (times 1 ± jitter) before accepting it.

    Speaks nfnetlink_queue over a raw netlink socket (what libnetfilter_queue does): binds the queue,
    asks for packet metadata only, and sends one ACCEPT verdict per packet when its time comes.
    Packets stay in order: a packet is never released before one queued earlier.
    """

    NETLINK_NETFILTER, SOL_NETLINK, NETLINK_NO_ENOBUFS = 12, 270, 5
    SUBSYS_QUEUE = 3
    MSG_PACKET, MSG_VERDICT, MSG_CONFIG = 0, 1, 2

    def __init__(self, queue, delay_s, jitter):
        self.queue, self.delay_s, self.jitter = queue, delay_s, jitter
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, self.NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(self.SOL_NETLINK, self.NETLINK_NO_ENOBUFS, 1)
        self.sock.bind((0, 0))
        self.seq = 0
        self.held = collections.deque()  # (release time, packet id), in arrival order
        self.stop = threading.Event()
        self.released = 0
        # bind the queue; metadata only (copy mode 1), at most 10,000 packets held, past that accepted
        # (the flag "fail open", given with its mask)
        self._configure([(1, struct.pack('!BxH', 1, 2))])
        self._configure([(2, struct.pack('!IB', 0, 1)), (3, struct.pack('!I', 10_000)),
                         (4, struct.pack('!I', 1)), (5, struct.pack('!I', 1))])
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _configure(self, attrs):
        """Sends a configuration message asking for an acknowledgement, and fails unless it is one."""
        self._send(self.MSG_CONFIG, attrs, flags=1 | 4)  # NLM_F_REQUEST | NLM_F_ACK
        reply = self.sock.recv(4096)
        length, msg_type, _, _, _, error = struct.unpack_from('=IHHIIi', reply)
        if msg_type != 2 or error != 0:  # NLMSG_ERROR with error 0 is the acknowledgement
            raise OSError(-error, f'nfnetlink_queue refused the configuration of queue {self.queue}')

    def _send(self, msg_type, attrs, flags=1):
        payload = struct.pack('!BBH', 0, 0, self.queue)  # nfgenmsg: AF_UNSPEC, version 0, queue number
        for kind, value in attrs:
            length = 4 + len(value)
            payload += struct.pack('=HH', length, kind) + value + b'\0' * (-length % 4)
        self.seq += 1
        header = struct.pack('=IHHII', 16 + len(payload), (self.SUBSYS_QUEUE << 8) | msg_type, flags, self.seq, 0)
        self.sock.send(header + payload)

    def _packets(self, data):
        """The ids of the packets in one netlink read."""
        offset = 0
        while offset + 16 <= len(data):
            length, msg_type = struct.unpack_from('=IH', data, offset)
            if length < 16:
                break
            if msg_type == (self.SUBSYS_QUEUE << 8) | self.MSG_PACKET:
                a = offset + 20
                while a + 4 <= offset + length:
                    alen, akind = struct.unpack_from('=HH', data, a)
                    if alen < 4:
                        break
                    if akind & 0x7fff == 1:  # NFQA_PACKET_HDR: packet id, big-endian
                        yield struct.unpack_from('!I', data, a + 4)[0]
                    a += (alen + 3) & ~3
            offset += (length + 3) & ~3

    def _run(self):
        last = 0.0
        while not self.stop.is_set():
            wait = max(0.0, self.held[0][0] - time.monotonic()) if self.held else 0.2
            readable, _, _ = select.select([self.sock], [], [], min(wait, 0.2))
            if readable:
                data = self.sock.recv(1 << 16)
                for packet in self._packets(data):
                    at = time.monotonic() + self.delay_s * rng_delay.uniform(1 - self.jitter, 1 + self.jitter)
                    last = max(last, at)  # never before a packet queued earlier
                    self.held.append((last, packet))
            nowt = time.monotonic()
            while self.held and self.held[0][0] <= nowt:
                self._send(self.MSG_VERDICT, [(2, struct.pack('!II', 1, self.held.popleft()[1]))])
                self.released += 1

    def close(self):
        """Stops holding (its rule removed first): what is held, then what is still queued to this
        socket, is let through in order (closing the socket would drop it instead)."""
        self.stop.set()
        self.thread.join(2)
        packets = [packet for _, packet in self.held]
        while True:
            try:
                packets += list(self._packets(self.sock.recv(1 << 16, socket.MSG_DONTWAIT)))
            except OSError:  # nothing left (BlockingIOError) or the socket failed
                break
        for packet in packets:
            try:
                self._send(self.MSG_VERDICT, [(2, struct.pack('!II', 1, packet))])
            except OSError:
                pass
        self.sock.close()


rng_delay = random.Random(SEED + 1)  # the delays' jitter, apart from the faults' own choices
queues, queues_lock = list(range(NF_QUEUE_BASE, NF_QUEUE_BASE + 10)), threading.Lock()


def live_nodes():
    return [port for port, p in nodes.items() if p.poll() is None]


def admin(method, path, body=None):
    """(HTTP status or None, body) of one admin API request."""
    try:
        conn = http.client.HTTPConnection('127.0.0.1', ADMIN, timeout=5)
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': 'application/json'})
        response = conn.getresponse()
        data = response.read().decode()
        conn.close()
        return response.status, data
    except Exception as e:
        return None, str(e)


def ring_members():
    status, body = admin('GET', '/topology')
    return {n['name']: n for n in json.loads(body)['nodes']} if status == 200 else None


def watch_topology():
    """Records every topology the router's admin API serves (kind topology: the document, the request's
    start and the reply's end), until the run ends: which nodes may hold a key when, for the checker."""
    last = None
    while not watch_done.is_set():
        start = now()
        status, body = admin('GET', '/topology')
        if status == 200 and body != last:
            record('topology', None, json.loads(body), start, now(), 'ok')
            last = body
        time.sleep(0.1)


def wait_for(condition, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return True
        except Exception:
            pass
        time.sleep(0.2)
    log('TIMEOUT waiting for', what)
    return False


# ---- clients -----------------------------------------------------------------------------------
# Each key has one writer, which writes versions 1, 2, 3... ("N" for a SET, "N:del" for a DEL), so a
# value read names the write it came from. History entries: (kind, key, value, start, end, status);
# status: ok, fail (refused: not applied) or info (outcome unknown).

history = []
history_lock = threading.Lock()
stopping = threading.Event()
watch_done = threading.Event()  # the topology watcher's end: after the final reads


def record(*entry):
    with history_lock:
        history.append(entry)


def next_op(r, version, i):
    op = r.random()
    if op < 0.2:
        return 'get', None
    version[i] += 1
    return ('del', f'{version[i]}:del') if op < 0.26 else ('set', f'{version[i]}')


def proxy_client():
    return redis.Redis(host='127.0.0.1', port=PROXY, socket_timeout=3, socket_connect_timeout=2)


def outcome(error):
    """A refused command (-TRYAGAIN, -MOVED) was not applied; any other error leaves it unknown."""
    text = str(error)
    return 'fail' if text.startswith('TRYAGAIN') or text.startswith('MOVED') else 'info'


def proxy_writer(w):
    client, version, r = proxy_client(), [0] * KEYS_PER_WRITER, random.Random(SEED * 100 + w)
    while not stopping.is_set():
        i = r.randrange(KEYS_PER_WRITER)
        key = f'k{w}:{i}'
        kind, value = next_op(r, version, i)
        start = now()
        try:
            if kind == 'get':
                got = client.get(key)
                value = None if got is None else got.decode()
            elif kind == 'del':
                client.delete(key)
            else:
                client.set(key, value)
            status = 'ok'
        except redis.exceptions.ResponseError as e:
            status = outcome(e)
        except Exception:
            status = 'info'
            client = proxy_client()
            time.sleep(0.05)
        if kind == 'get' and status != 'ok':
            value, status = None, 'fail'
        record(kind, key, value, start, now(), status)


def direct_writer(w):
    """As proxy_writer, straight to the nodes: to the last node that served the key, following -MOVED."""
    conns, owner, version, r = {}, {}, [0] * KEYS_PER_WRITER, random.Random(SEED * 10000 + w)
    while not stopping.is_set():
        i = r.randrange(KEYS_PER_WRITER)
        key = f'd{w}:{i}'
        kind, value = next_op(r, version, i)
        start, status, got = now(), 'fail', None
        port = owner.get(key) or r.choice(PORTS)
        for _ in range(4):
            try:
                if port not in conns:
                    conns[port] = redis.Redis(host='127.0.0.1', port=port, socket_timeout=3, socket_connect_timeout=1)
                if kind == 'get':
                    got = conns[port].get(key)
                elif kind == 'del':
                    conns[port].delete(key)
                else:
                    conns[port].set(key, value)
                status, owner[key] = 'ok', port
                break
            except redis.exceptions.MovedError as e:  # redis-py keeps "<epoch> host:port"
                port = owner[key] = int(str(e).split()[-1].rsplit(':', 1)[1])
            except redis.exceptions.ResponseError:
                status = 'fail'
                owner.pop(key, None)
                break
            except Exception:
                conns.pop(port, None)
                owner.pop(key, None)
                status = 'info'
                time.sleep(0.02)
                break
        if kind == 'get':
            value, status = (None if got is None else got.decode(), 'ok') if status == 'ok' else (None, 'fail')
        record(kind, key, value, start, now(), status)


def checked_get(client, key, kind='get'):
    """GETs key and records the read (kind cget: a counter's, its value a number); returns the error
    it met, or None."""
    start = now()
    try:
        got = client.get(key)
    except Exception as e:
        record(kind, key, None, start, now(), 'fail')
        return e
    record(kind, key, None if got is None else int(got) if kind == 'cget' else got.decode(), start, now(), 'ok')
    return None


def reader(n):
    client, r = proxy_client(), random.Random(SEED * 1000 + n)
    while not stopping.is_set():
        error = checked_get(client, f'k{r.randrange(WRITERS)}:{r.randrange(KEYS_PER_WRITER)}')
        if error is not None and not isinstance(error, redis.exceptions.ResponseError):
            client = proxy_client()
            time.sleep(0.05)


def counter_writer(w):
    """INCRs (4 in 5) and GETs its own keys through the proxy: INCR is not idempotent, and it reads
    the value held before writing, through from a handoff's source, so a lost increment, one applied
    twice, or a write built on a miss shows in the values. History kinds: incr (the reply) and cget."""
    client, r = proxy_client(), random.Random(SEED * 100000 + w)
    while not stopping.is_set():
        key = f'c{w}:{r.randrange(KEYS_PER_WRITER)}'
        kind, start, value = ('cget' if r.random() < 0.2 else 'incr'), now(), None
        try:
            if kind == 'cget':
                got = client.get(key)
                value = None if got is None else int(got)
            else:
                value = client.incr(key)
            status = 'ok'
        except redis.exceptions.ResponseError as e:
            status = outcome(e)
            if status != 'fail' and not str(e).startswith('proxy:'):  # the proxy's own: a node unreachable
                log('counter error', key, kind, str(e)[:200])
        except Exception:
            status = 'info'
            client = proxy_client()
            time.sleep(0.05)
        record(kind, key, value, start, now(), status)


# ---- where a key may be lost ------------------------------------------------------------------
# A node loses what it holds when it is killed (kind loss, recorded by the nemesis), when the router
# ejects it (its ranges fall to their successors, which do not have them: its state turns EJECTED),
# when a restarted process takes its place unnoticed (its incarnation changes), or when it leaves the
# topology without handing off (it fails while LEAVING: its handoffs are dropped while it is still
# LEAVING, or it is gone while they had not all reached STREAMING; a leave that ends well goes from
# STREAMING to gone in one topology). Outside QUIET runs a read may miss a key, or a counter fall, only
# across such a loss of a node that could hold the key then: its owner on the ring, or a handoff's
# source or target for it, in a topology the router served within MARGIN seconds of the loss (nodes
# adopt a topology after the router, and the watcher polls it every 0.1 s).
MARGIN = 5


def ring_points(members):
    """The ring of [(name, weight)], in ring order, as nginx's hash ... consistent places it (see
    HashRing): its points ascending, and each point's node."""
    points = {}
    for name, weight in members:
        host, _, port = name.rpartition(':')
        if not (host and port.isdigit()):
            host, port = name, ''
        base, previous = zlib.crc32(host.encode() + b'\0' + port.encode()), 0
        for _ in range(160 * weight):
            previous = zlib.crc32(struct.pack('<I', previous), base)
            points.setdefault(previous, name)  # of equal points the first node's stays
    hashes = sorted(points)
    return hashes, [points[h] for h in hashes]


def in_range(h, start, end):
    """Whether hash h is in the handoff range (start, end], which wraps when end <= start."""
    return start < h <= end if start < end else h > start or h <= end


def lost_between(n, m, handoffs_before, handoffs_after):
    """Whether node n of one topology lost what it held by the next one, where it is m (None: gone)."""
    phases = [h['phase'] for h in handoffs_before if h['from'] == n['name']]
    if m is None:  # gone: a leave that ends well goes from STREAMING to gone in one topology
        return n['state'] not in ('LEAVING', 'EJECTED') or any(phase != 'STREAMING' for phase in phases)
    if m['state'] == 'EJECTED' != n['state'] or n.get('incarnation', 0) not in (0, m.get('incarnation', 0)):
        return True  # ejected, or a restarted process in its place
    # failed while leaving: its handoffs dropped while it is still LEAVING
    return m['state'] == 'LEAVING' and bool(phases) and all(h['from'] != n['name'] for h in handoffs_after)


class Placement:
    """The history's topologies and losses: which losses could have taken a key."""

    def __init__(self, entries):
        served = sorted(((end, start, doc) for kind, _, doc, start, end, _ in entries if kind == 'topology'),
                        key=lambda t: t[0])
        self.ends = [end for end, _, _ in served]
        self.rings = [(ring_points([(n['name'], n['weight']) for n in doc['nodes'] if n['state'] in ('UP', 'DOWN')]),
                       [(h['from'], h['to'], [(r['start'], r['end']) for r in h['ranges']])
                        for h in doc['handoffs']]) for _, _, doc in served]
        self.losses = [(name, start, end) for kind, _, names, start, end, _ in entries if kind == 'loss'
                       for name in names]
        for (_, start, before), (end, _, after) in zip(served, served[1:]):
            later = {n['name']: n for n in after['nodes']}
            for n in before['nodes']:
                if lost_between(n, later.get(n['name']), before['handoffs'], after['handoffs']):
                    self.losses.append((n['name'], start, end))
        self.relevant = {}

    def holders(self, i, h):
        (hashes, names), handoffs = self.rings[i]
        found = {names[bisect.bisect_left(hashes, h) % len(hashes)]} if hashes else set()
        for source, target, ranges in handoffs:
            if any(in_range(h, start, end) for start, end in ranges):
                found.update((source, target))
        return found

    def lost(self, key, start, end):
        """Whether a node that could hold key lost what it held at some moment in [start, end]."""
        if key not in self.relevant:
            h, intervals = zlib.crc32(key.encode()), []
            for name, low, high in self.losses:
                first = max(0, bisect.bisect_right(self.ends, low - MARGIN) - 1)
                last = bisect.bisect_right(self.ends, high + MARGIN)
                if any(name in self.holders(i, h) for i in range(first, last)):
                    intervals.append((low, high))
            self.relevant[key] = intervals
        return any(low <= end and high >= start for low, high in self.relevant[key])


# ---- the checker -------------------------------------------------------------------------------

def check_counters(placement):
    """Each counter has one writer. A value seen (an INCR's reply or a read) in [start, end] must not
    exceed the INCRs of the key sent before end that were not refused: else an increment was applied
    twice, or a refused one applied. Nor may it be below the reply of an INCR acknowledged before
    start (or a miss after one): else increments were lost. With QUIET=1 that is never allowed;
    otherwise only across the loss of a node that could hold the counter, between that INCR's start
    and the value's end (the counter then starts again from 0)."""
    incrs, seen = collections.defaultdict(list), collections.defaultdict(list)
    for kind, key, value, start, end, status in history:
        if kind == 'incr':
            incrs[key].append((start, end, status, value))
        if kind in ('cget', 'incr') and status == 'ok':
            seen[key].append((kind, value, start, end))
    violations, checked, losses = 0, 0, 0
    for key, key_seen in seen.items():
        sent = sorted(start for start, _, status, _ in incrs[key] if status != 'fail')
        acked = sorted((end, value, start) for start, end, status, value in incrs[key] if status == 'ok')
        acked_ends, above = [a[0] for a in acked], []  # above[i]: the last acknowledged INCR before i replying more
        for i, (_, value, _) in enumerate(acked):
            j = i - 1
            while j >= 0 and acked[j][1] <= value:
                j = above[j]
            above.append(j)
        for kind, value, start, end in key_seen:
            checked += 1
            most = bisect.bisect_left(sent, end)
            i = bisect.bisect_left(acked_ends, start) - 1  # the last INCR acknowledged before start...
            while i >= 0 and acked[i][1] <= (value or 0):
                i = above[i]  # ...that replied more than this value
            if value is not None and value > most:
                log(f'VIOLATION counter {key}={value} ({kind}) in [{start:.3f},{end:.3f}]: only {most} INCRs of it'
                    f' were sent (and not refused) by then')
                violations += 1
            elif i >= 0:
                losses += 1
                allowed = not QUIET and placement.lost(key, acked[i][2], end)
                if not allowed or losses <= 10:
                    log(f'{"" if allowed else "VIOLATION "}counter {key}={value} ({kind}) in [{start:.3f},{end:.3f}]:'
                        f' an INCR acknowledged at {acked[i][0]:.3f} replied {acked[i][1]}'
                        f'{" (a node that held it was lost since)" if allowed else ""}')
                violations += not allowed
    rule = 'violations' if QUIET else 'allowed only across the loss of a node that could hold it'
    log(f'counters: checked {checked} values of {len(seen)} keys, {sum(len(v) for v in incrs.values())} INCRs;'
        f' {losses} below an acknowledged INCR ({rule}): {violations} violations')
    return violations


def check(placement):
    writes, reads = collections.defaultdict(list), collections.defaultdict(list)
    for kind, key, value, start, end, status in history:
        if kind in ('incr', 'cget', 'topology', 'loss'):
            continue
        if kind == 'get':
            if status == 'ok':
                reads[key].append((value, start, end))
        else:
            writes[key].append((int(value.split(':')[0]), value.endswith(':del'), start, end, status))
    violations, late_unknown, read_count, misses, losses = 0, 0, 0, 0, []
    for key, key_reads in reads.items():
        by_version = {w[0]: w for w in writes[key]}
        acked = sorted((w for w in writes[key] if w[4] == 'ok'), key=lambda w: w[3])
        acked_ends = [w[3] for w in acked]
        newest_acked, best = [], None  # newest_acked[j]: the newest of the first j + 1 acknowledged
        for w in acked:
            best = w if best is None or w[0] > best[0] else best
            newest_acked.append(best)
        # a DEL whose outcome is unknown (its client timed out) may take effect at any one moment after
        # it was sent, after newer acknowledged SETs too (as on one redis-server: the timed-out
        # connection's DEL and a new connection's SET wait in their sockets while it is paused, and
        # either may run first): per such DEL, the window (start, end) that moment must lie in to
        # explain every miss given to it so far
        late_delete = {}
        for value, start, end in key_reads:
            read_count += 1
            j = bisect.bisect_left(acked_ends, start)
            newest = newest_acked[j - 1] if j > 0 else None
            if value is None:
                misses += 1
                deleted_since = any(w[1] and w[4] != 'fail' and w[0] > newest[0] and w[2] < end
                                    for w in writes[key]) if newest else True
                if newest and not newest[1] and not deleted_since:
                    # the latest unknown-outcome DEL sent before the newest acknowledged SET, if its
                    # moment can fall after that SET began and before this read ended, with the
                    # misses it already explains
                    unknown = [w for w in writes[key] if w[1] and w[4] == 'info' and w[0] < newest[0]]
                    d = max(unknown, key=lambda w: w[0]) if unknown else None
                    low, high = late_delete.get(d and d[0], (newest[2], end))
                    low, high = max(low, newest[2]), min(high, end, d[2] + LATE_LIMIT if d else end)
                    if d is not None and low < high:
                        late_delete[d[0]] = (low, high)
                        late_unknown += 1
                    else:
                        losses.append((key, start, end, newest))
                continue
            written = by_version.get(int(value))
            if written is None or written[2] > end:
                log(f'VIOLATION {key}={value} in [{start:.3f},{end:.3f}] was never written before the read ended')
                violations += 1
            elif written[4] == 'fail':
                log(f'VIOLATION {key}={value} in [{start:.3f},{end:.3f}]: its write was refused')
                violations += 1
            elif newest and written[0] < newest[0]:
                if written[4] != 'ok':
                    late_unknown += 1  # its outcome unknown: it may have taken effect after the newer write
                    continue
                log(f'VIOLATION stale read {key}={value} in [{start:.3f},{end:.3f}]: version {newest[0]}'
                    f' ({"a delete" if newest[1] else "a set"}) was acknowledged at {newest[3]:.3f}')
                violations += 1
    # outside QUIET runs a miss is allowed across the loss of a node that could hold the key, between
    # the start of its last acknowledged SET and the read's end
    unexplained = [miss for miss in losses if QUIET or not placement.lost(miss[0], miss[3][2], miss[2])]
    for key, start, end, newest in unexplained[:20]:
        log(f'VIOLATION missing {key} in [{start:.3f},{end:.3f}]: version {newest[0]} acknowledged at {newest[3]:.3f}'
            f'{"" if QUIET else ", and no node that could hold it was lost since"}')
    violations += len(unexplained)
    write_count = sum(len(ws) for ws in writes.values())
    acked_count = sum(1 for ws in writes.values() for w in ws if w[4] == 'ok')
    log(f'{len(losses)} misses of a key whose last acknowledged write was a SET: {len(losses) - len(unexplained)}'
        f' across the loss of a node that could hold it (allowed), {len(unexplained)} not (violations'
        f'{": no node is lost in a QUIET run" if QUIET else ""})')
    log(f'{late_unknown} reads of a write whose outcome was unknown (a SET read, or a DEL missed), taking effect'
        f' after a newer one (allowed)')
    log(f'checked {read_count} reads ({misses} misses), {write_count} writes ({acked_count} acknowledged):'
        f' {violations} violations')
    return violations


# ---- the nemesis -------------------------------------------------------------------------------

busy, busy_lock = set(), threading.Lock()


def claim(items):
    with busy_lock:
        if busy & set(items):
            return False
        busy.update(items)
        return True


def release(items):
    with busy_lock:
        busy.difference_update(items)


def fault():
    """One fault, on processes no other nemesis thread is acting on."""
    if QUIET:
        kind = rng.choice(['stop_node', 'stop_node', 'kill_router', 'stop_router', 'add', 'add', 'remove', 'remove',
                           'weight'] + (LINK_FAULTS if PARTITIONS else []))
    else:
        kind = rng.choice(['kill_node', 'kill_node', 'restart_node', 'kill_two', 'stop_node', 'stop_node',
                           'kill_router', 'stop_router', 'add', 'add', 'remove', 'weight']
                          + (LINK_FAULTS if PARTITIONS else []))
    live = live_nodes()
    if kind in ('kill_router', 'stop_router'):
        items = ['router']
    elif kind.endswith('_nodes'):
        items = [f'cut-{p}' for p in sorted(rng.sample(live, 2))] if len(live) >= 2 else None
    elif kind.endswith('_router'):
        items = [f'cut-router-{rng.choice(live)}'] if live else None
    elif kind == 'kill_two':
        items = rng.sample(live, 2) if len(live) >= 2 else None
    elif kind in ('kill_node', 'restart_node', 'stop_node'):
        items = [rng.choice(live)] if live else None
    else:
        items = []
    if items is None or not claim(items):
        return
    try:
        act(kind, items)
    finally:
        release(items)


def act(kind, items):
    if kind in ('kill_node', 'restart_node', 'kill_two'):
        start = now()
        for port in items:
            nodes[port].kill()
            nodes[port].wait()
        record('loss', None, [f'127.0.0.1:{port}' for port in items], start, now(), 'ok')
        log('kill -9 node', items)
        if kind != 'restart_node':
            time.sleep(rng.uniform(0, 8 if kind == 'kill_two' else 6))
        for port in items:
            start_node(port)
        log('restarted node', items)
    elif kind == 'stop_node':
        port = items[0]
        seconds = rng.choice([0.5, 1, 2, 3, 5] if QUIET else [0.5, 1, 2, 3, 5, 10, 20]) * rng.uniform(0.8, 1.2)
        os.kill(nodes[port].pid, signal.SIGSTOP)
        log('SIGSTOP node', port, f'{seconds:.1f}s')
        time.sleep(seconds)
        os.kill(nodes[port].pid, signal.SIGCONT)
        log('SIGCONT node', port)
    elif kind in LINK_FAULTS:
        ports = [int(i.rsplit('-', 1)[1]) for i in items]
        # QUIET: the router is cut from a node (or its link is lossy, slow or refused) for less than
        # a lease (15 s), so no node fails
        seconds = rng.choice([0.5, 1, 2, 5] if QUIET and kind.endswith('_router') else [0.5, 1, 2, 5, 10, 20])
        seconds *= rng.uniform(0.8, 1.2)
        # (sender, port): both ways between two nodes, the router's packets to a node
        links = [(f'node-{ports[0]}', ports[1]), (f'node-{ports[1]}', ports[0])] if kind.endswith('_nodes') \
            else [('router', ports[0])]
        what = f'nodes {ports[0]} {ports[1]}' if kind.endswith('_nodes') else f'router to node {ports[0]}'
        rules, delayer, queue = [], None, None
        try:
            if kind.startswith('cut'):
                rules = [cut_rule(sender, port) for sender, port in links]
                log('partition', what, f'{seconds:.1f}s')
            elif kind.startswith('refuse'):
                rules = [refuse_rule(sender, port) for sender, port in links]
                log('refused', what, f'{seconds:.1f}s')
            elif kind.startswith('lossy'):
                probability = rng.choice([0.05, 0.2, 0.5])
                rules = [loss_rule(sender, port, probability) for sender, port in links]
                log('lossy', what, f'{probability:.0%} of packets dropped', f'{seconds:.1f}s')
            else:
                delay = rng.choice([0.02, 0.1, 0.3, 1.0])
                with queues_lock:
                    queue = queues.pop()  # ten queues, one per fault thread at a time (NEMESES > 10: a nemesis error)
                delayer = Delayer(queue, delay, 0.25)
                rules = [queue_rule(sender, port, queue) for sender, port in links]
                log('slow', what, f'{delay * 1000:.0f} ms more per packet', f'{seconds:.1f}s')
            for rule in rules:
                add_rule(rule)
            time.sleep(seconds)
        finally:
            for rule in rules:
                heal(rule)
            if delayer is not None:
                delayer.close()
            if queue is not None:
                with queues_lock:
                    queues.append(queue)
            log('healed', kind, ports)
    elif kind == 'kill_router':
        router.kill()
        router.wait()
        log('kill -9 router')
        time.sleep(rng.uniform(0, 5))
        start_router()
        log('restarted router')
    elif kind == 'stop_router':
        seconds = rng.choice([1, 2, 5, 10, 20]) * rng.uniform(0.8, 1.2)
        os.kill(router.pid, signal.SIGSTOP)
        log('SIGSTOP router', f'{seconds:.1f}s')
        time.sleep(seconds)
        os.kill(router.pid, signal.SIGCONT)
        log('SIGCONT router')
    elif kind == 'add':
        members = ring_members()
        spare = [p for p in PORTS if members is not None and f'127.0.0.1:{p}' not in members]
        if not spare:
            return
        port = rng.choice(spare)
        if not claim([port]):
            return
        try:
            if port not in nodes or nodes[port].poll() is not None:
                start_node(port)
                time.sleep(rng.uniform(1.5, 4))
            status, body = admin('POST', '/nodes', {'name': f'127.0.0.1:{port}', 'address': f'127.0.0.1:{port}',
                                                    'weight': rng.choice([1, 1, 2])})
            log('add', port, status, body[:150])
        finally:
            release([port])
    elif kind == 'remove':
        members = ring_members()
        if members and len(members) > 2:
            name = rng.choice(sorted(members))
            status, body = admin('DELETE', '/nodes/' + name)
            log('remove', name, status, body[:150])
    elif kind == 'weight':
        members = ring_members()
        if members:
            name = rng.choice(sorted(members))
            status, body = admin('PUT', f'/nodes/{name}/weight', {'weight': rng.choice([1, 2, 3])})
            log('weight', name, status, body[:150])


def nemesis():
    while now() < DURATION:
        try:
            fault()
        except Exception as e:
            log('nemesis error', repr(e))
        time.sleep(rng.uniform(0.2, 4))


def settled():
    status, body = admin('GET', '/health')
    members = ring_members()
    return status == 200 and json.loads(body)['handoffs'] == 0 and members is not None \
        and all(n['state'] == 'UP' for n in members.values())


def main():
    if PARTITIONS:
        try:
            os.makedirs(f'{CGROUP2}/{CG}', exist_ok=True)
            subprocess.run(['iptables', '-w', '-S', 'OUTPUT'], check=True, stdout=subprocess.DEVNULL)
        except Exception as e:
            print(f'chaos: partitions need root, iptables and cgroup v2 at {CGROUP2} ({e}); PARTITIONS=0 runs without',
                  file=sys.stderr)
            return 2
    for port in INITIAL:
        start_node(port)
    start_router()
    if not wait_for(lambda: json.loads(admin('GET', '/health')[1])['nodesInRing'] == 3, 60, 'the cluster'):
        return 2
    log('cluster up', 'QUIET' if QUIET else '', f'seed {SEED}, {DURATION:.0f} s, logs in {DIR}')
    clients = [threading.Thread(target=proxy_writer, args=(w,), daemon=True) for w in range(WRITERS)]
    clients += [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(READERS)]
    clients += [threading.Thread(target=direct_writer, args=(w,), daemon=True) for w in range(DIRECT)]
    clients += [threading.Thread(target=counter_writer, args=(w,), daemon=True) for w in range(COUNTERS)]
    watcher = threading.Thread(target=watch_topology, daemon=True)
    for t in clients + [watcher]:
        t.start()
    time.sleep(3)
    faults = [threading.Thread(target=nemesis) for _ in range(NEMESES)]
    for t in faults:
        t.start()
    for t in faults:
        t.join()
    heal_all()
    log('faults over: every process resumed, every partition healed; waiting for the cluster to settle')
    for p in list(nodes.values()) + [router]:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGCONT)
    if router.poll() is not None:
        start_router()
    wait_for(settled, 120, 'every handoff done and every node UP')
    time.sleep(5)
    stopping.set()
    for t in clients:
        t.join(10)
    client = proxy_client()
    keys = [f'k{w}:{i}' for w in range(WRITERS) for i in range(KEYS_PER_WRITER)]
    keys += [f'd{w}:{i}' for w in range(DIRECT) for i in range(KEYS_PER_WRITER)]
    for key in keys:
        error = checked_get(client, key)
        if error is not None:
            log('final read failed:', key, error)
    for key in [f'c{w}:{i}' for w in range(COUNTERS) for i in range(KEYS_PER_WRITER)]:
        error = checked_get(client, key, 'cget')
        if error is not None:
            log('final read failed:', key, error)
    log('nodes at the end:', admin('GET', '/nodes')[1][:2000])
    watch_done.set()
    watcher.join(10)
    with open(DIR + '/history.json', 'w') as f:
        json.dump(history, f)
    placement = Placement(history)
    return 1 if check(placement) + check_counters(placement) else 0


if __name__ == '__main__' and CHECK_ONLY:
    with open(sys.argv[2]) as f:
        history = [tuple(entry) for entry in json.load(f)]
    placement = Placement(history)
    sys.exit(1 if check(placement) + check_counters(placement) else 0)
elif __name__ == '__main__':
    code = 2
    try:
        code = main()
    finally:
        for p in list(nodes.values()) + ([router] if router else []):
            try:
                os.kill(p.pid, signal.SIGCONT)
                p.kill()
                p.wait()
            except Exception:
                pass
        if PARTITIONS:
            heal_all()
            for name in os.listdir(f'{CGROUP2}/{CG}') if os.path.isdir(f'{CGROUP2}/{CG}') else []:
                if os.path.isdir(f'{CGROUP2}/{CG}/{name}'):
                    try:
                        os.rmdir(f'{CGROUP2}/{CG}/{name}')
                    except OSError:
                        pass
            try:
                os.rmdir(f'{CGROUP2}/{CG}')
            except OSError:
                pass
    sys.exit(code)

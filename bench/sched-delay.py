#!/usr/bin/env python3
"""How long threads waited for a core after they were woken, before and during a join.

    bench/sched-delay.py PERF_DATA OUTPUT_OF_THE_BENCHMARK PIDS

PERF_DATA is a `perf sched record -a -k CLOCK_MONOTONIC` of the machine (ProcessHandoffBenchmark
records one with -Dbench.sched=FILE; bench/handoff-processes.sh with SCHED=1), OUTPUT the benchmark's
printed output (its "windows (CLOCK_MONOTONIC ns): before A B, during C D" line cuts the recording),
PIDS the processes as the benchmark got them (router,node,...,joiner). For each kind of thread it
prints, per window, how many times a thread of that kind was woken and ran, and the distribution of
its scheduling delay (`perf sched timehist`'s "sch delay": from the wake-up to running on a core).

A GET through the Java client is woken at least three times on its way: the node's event loop
(its request arrived), the client's I/O thread (the reply arrived), the reader (its future
completed). Each waits that delay, so the delays of these threads during the join bound the GET's
latency from below, whatever the node's own code does.
"""
import re
import subprocess
import sys

LINE = re.compile(r'^\s*(\d+\.\d+)\s+\[(\d+)\]\s+(.+?)\[(\d+)(?:/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$')


def kind(name, pid, labels):
    process = labels.get(pid, 'other')
    if name.startswith('reader-'):
        return 'bench: readers'
    if name.startswith('ringcache-clien'):
        return 'bench: client I/O threads'
    if process == 'other':
        return None
    if name.startswith('multiThreadIoEv') or name.startswith('ringcache-proxy'):
        role = 'event loops'
    elif name.startswith('C1 ') or name.startswith('C2 '):
        role = 'JIT compilers'
    elif name.startswith('ringcache-clust') or name.startswith('ringcache-walk'):
        role = 'cluster threads'
    else:
        return None
    return ('router: ' if process == 'router' else 'nodes: ') + role


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    data, output, pids = sys.argv[1:]
    windows = None
    for line in open(output):
        m = re.search(r'windows \(CLOCK_MONOTONIC ns\): before (\d+) (\d+), during (\d+) (\d+)', line)
        if m:
            t = [int(x) / 1e9 for x in m.groups()]
            windows = [('before', t[0], t[1]), ('during', t[2], t[3])]
    if windows is None:
        sys.exit(f'no "windows" line in {output}')
    pid_list = pids.split(',')
    labels = {p: ('router' if i == 0 else 'node') for i, p in enumerate(pid_list)}
    delays = {}  # (kind, window) -> [ms]
    timehist = subprocess.Popen(['perf', 'sched', 'timehist', '-i', data], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    for line in timehist.stdout:
        m = LINE.match(line)
        if not m:
            continue
        end, _, name, tid, pid, _, sch_delay, run_time = m.groups()
        k = kind(name.strip(), pid or tid, labels)
        if k is None:
            continue
        started = float(end) - float(run_time) / 1e3  # when it got the core, after its delay
        for window, lo, hi in windows:
            if lo <= started < hi:
                delays.setdefault((k, window), []).append(float(sch_delay))
    timehist.wait()
    kinds = sorted({k for k, _ in delays})
    print(f'scheduling delay (wake-up to running, ms), windows of {windows[0][2] - windows[0][1]:.2f} s and '
          f'{windows[1][2] - windows[1][1]:.2f} s:')
    print(f'{"threads":<28} {"window":<7} {"runs":>8} {"p50":>7} {"p90":>7} {"p99":>7} {"p99.9":>7} {"max":>7} '
          f'{"> 0.5 ms":>9} {"> 2 ms":>7}')
    for k in kinds:
        for window, lo, hi in windows:
            values = sorted(delays.get((k, window), []))
            if not values:
                continue
            over = lambda ms: f'{100.0 * sum(1 for v in values if v > ms) / len(values):.2f} %'
            print(f'{k:<28} {window:<7} {len(values):>8} {percentile(values, 50):>7.3f} {percentile(values, 90):>7.3f} '
                  f'{percentile(values, 99):>7.3f} {percentile(values, 99.9):>7.3f} {values[-1]:>7.3f} '
                  f'{over(0.5):>9} {over(2):>7}')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Issue 29: a `perf script -F comm,tid,time,trace,ip,sym` of sched:sched_switch events. For the flush thread: time
off the CPU by state (R preempted by another thread, S asleep, D waiting on the disk), the longest reasons by the
call chain where it left, and its futex sleeps by length (a GC suspension shows as one sleep per blocking
collection)."""
import collections, re, sys

events, cur = [], None
for line in open(sys.argv[1]):
    if not line.startswith((' ', '\t')):
        m = re.search(r'\s([\d.]+):\s+(?:sched:sched_switch:\s+)?prev_comm=(.*?) prev_pid=(\d+) .*?prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)', line)
        cur = [float(m.group(1)), m.group(2), int(m.group(3)), m.group(4), int(m.group(6)), []] if m else None
        if cur:
            events.append(cur)
    elif cur is not None and line.strip():
        parts = line.strip().split(None, 1)
        cur[5].append(re.sub(r'\(.*', '', parts[1]) if len(parts) > 1 else parts[0])

names, left = {}, {}
state, reason, sleeps = collections.Counter(), collections.Counter(), []
total = collections.Counter()
for t, comm, pid, prev_state, next_pid, stack in events:
    names[pid] = comm
    left[pid] = (t, prev_state, stack)
    if next_pid in left:
        t0, st, stk = left.pop(next_pid)
        who = names.get(next_pid, '?')
        total['.NET TP Worker' if who.startswith('.NET TP') else who] += t - t0
        if who != 'ingest-flush':
            continue
        state[st[0]] += t - t0
        reason[st[0] + ' ' + ' <- '.join(s[-45:] for s in stk[1:6] if not s.startswith('[unknown]'))[:200]] += t - t0
        if st.startswith('S') and any('futex' in s for s in stk):
            sleeps.append(t - t0)

print('off the CPU, seconds, by thread:', {k: round(v, 2) for k, v in total.most_common(6)})
print('flush thread by state (R preempted, S asleep, D disk):', {k: round(v, 2) for k, v in state.items()})
for k, v in reason.most_common(8):
    print(f'  {v:.2f} s {k}')
print(f'flush thread futex sleeps: {len(sleeps)}, {sum(sleeps):.2f} s')
for lo, hi in [(0, 0.001), (0.001, 0.005), (0.005, 0.02), (0.02, 0.1), (0.1, 1), (1, 1e9)]:
    x = [v for v in sleeps if lo <= v < hi]
    upper = 'longer' if hi > 100 else f'{hi * 1000:.0f} ms'
    print(f'  {lo * 1000:>5.0f} ms - {upper}: {len(x):4d} sleeps, {sum(x):.2f} s')

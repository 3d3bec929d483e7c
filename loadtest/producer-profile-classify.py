#!/usr/bin/env python3
"""Issue 29's producer profile. With a `perf script -F comm,tid,time,ip,sym,dso` file: CPU per thread and how busy
each was over the run, then the producer threads' samples by stage (the innermost Ingest frame that names one; the
runtime's allocation and GC frames are charged to the stage that allocated) and by leaf library.
With --counters FILE: a dotnet-counters CSV summed (rates and counts) or maxed (gauges) over the run."""
import collections, csv, re, sys

def counters(path):
    total, peak, kind = collections.defaultdict(float), collections.defaultdict(float), {}
    for row in csv.DictReader(open(path)):
        name = row.get('Counter Name') or row.get('Counter name') or ''
        value = float(row.get('Mean/Increment') or row.get('Mean/Increment ') or 0)
        kind[name] = row.get('Counter Type', '')
        total[name] += value
        peak[name] = max(peak[name], value)
    print('| counter | over the run |\n|---|---:|')
    for name in sorted(kind):
        if not re.search(r'gc\.collections|pause|total_allocated|cpu\.time|working_set|contention|jit\.compilation', name):
            continue
        rate = kind[name].lower().startswith('rate')
        print(f"| {name} | {total[name]:,.3f} (sum) |" if rate else f"| {name} | {peak[name]:,.1f} (max) |")

STAGES = [  # first match walking up from the leaf decides
    ('preparing writes (PreparedWrite, rollup/search/detail prep, record size)', r'PreparedWrite|RollupContribution|RecordSize|DetailSampler|Searchable|WorkerGroups'),
    ('channel hand-off (InvocationChannel, byte budget, backpressure wait)', r'InvocationChannel|System\.Threading\.Channels|MemoryBudget'),
    ('tracking (TaskTracker, map, merge, workers, metrics)', r'TaskTracker|TrackedTaskMap|TaskMerge|TaskLifecycle|TrackedEntry|WorkerRegistry|CeleryMetrics|ObjectiveMetrics|InFlight|QueueLengths'),
    ('decoding (JSON event reader, values, redaction)', r'CeleryEventDecoder|CeleryEventReader|EventValueReader|EventFieldNames|ControlCharacters|LenientJsonString|Redactor|EventTimestamps|BodyUnwrapper|DecodedBody'),
    ('ingestor + counters', r'EventIngestor|IngestCounters'),
    ('reading the capture (lines, JSON envelope, base64)', r'ReplayRunner|CaptureRecord|CaptureLineSplitter|JsonDocument|StreamReader|TextReader|Base64|FromBase64|FileStream|Transcod|Utf8\.|vfs_read|filemap_read'),
    ('waiting (thread pool spin and yield, futex)', r'sched_yield|futex|LowLevelLifoSemaphore|SpinWait|PortableThreadPool'),
]

def perf(path):
    samples, cur = [], None
    for line in open(path):
        if not line.startswith((' ', '\t')):
            m = re.match(r'^(.*?)\s+(\d+)\s+([\d.]+):', line)
            if m:
                cur = [m.group(1).strip(), int(m.group(2)), float(m.group(3)), []]
                samples.append(cur)
        elif line.strip() and cur is not None:
            m = re.match(r'\s*[0-9a-f]+ (.*) \(([^()]*)\)\s*$', line)
            sym, dso = (m.group(1), m.group(2)) if m else (line.strip(), '')
            cur[3].append((sym, dso))
    times = [s[2] for s in samples]
    wall = max(times) - min(times)
    def group(comm):
        return '.NET TP Worker' if comm.startswith('.NET TP Worker') else comm
    by = collections.Counter(group(s[0]) for s in samples)
    n = len(samples)
    print(f'{n} samples over {wall:.1f} s of wall time (999 Hz: ~1 sample per ms of CPU; 2 cores = {2*wall:.1f} s)')
    print('| thread | samples | share | CPU s | busy over the run (of one core) |\n|---|---:|---:|---:|---:|')
    for k, v in by.most_common(12):
        print(f'| {k} | {v} | {100*v/n:.1f} % | {v/999:.1f} | {100*v/999/wall:.0f} % |')
    print(f'| all | {n} | | {n/999:.1f} | {100*n/999/wall/2:.0f} % of 2 cores |')
    producer = [s for s in samples if group(s[0]) == '.NET TP Worker']
    stage = collections.Counter()
    leaf = collections.Counter()
    for s in producer:
        frames = s[3]
        name = 'other (thread pool, unresolved)'
        for sym, _ in frames:
            hit = next((label for label, pattern in STAGES if re.search(pattern, sym)), None)
            if hit:
                name = hit
                break
        stage[name] += 1
        dso = frames[0][1] if frames else ''
        leaf['runtime (allocation, GC, stubs)' if 'coreclr' in dso else 'kernel' if 'kallsyms' in dso
             else 'libc' if 'libc' in dso else 'JIT' if 'clrjit' in dso else 'managed code'] += 1
    m = len(producer) or 1
    print(f'\nproducer threads (.NET TP Worker), {len(producer)} samples, by stage (allocation and GC charged to the stage):')
    print('| stage | samples | share |\n|---|---:|---:|')
    for k, v in stage.most_common():
        print(f'| {k} | {v} | {100*v/m:.1f} % |')
    print('\nsame samples by leaf:\n| leaf | samples | share |\n|---|---:|---:|')
    for k, v in leaf.most_common():
        print(f'| {k} | {v} | {100*v/m:.1f} % |')

if sys.argv[1] == '--counters':
    counters(sys.argv[2])
else:
    perf(sys.argv[1])

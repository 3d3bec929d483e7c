#!/usr/bin/env python3
"""Buckets perf samples of one thread by what the time was spent on (leaf symbol, its library, managed callers)."""
import re, sys, collections
samples=[];cur=None
for line in open(sys.argv[1]):
    if not line.startswith((' ','\t')):
        if cur is not None: samples.append(cur)
        cur=[]
    elif line.strip():
        m=re.match(r'\s*[0-9a-f]+ (.*) \(([^()]*)\)\s*$', line)
        sym,dso=(m.group(1),m.group(2)) if m else (line.strip(),'')
        cur.append((re.sub(r'\(.*','',sym), dso))
if cur: samples.append(cur)
samples=[s for s in samples if s]
def cat(s):
    if not s: return 'unknown'
    sym,dso=s[0]; names=' | '.join(f for f,_ in s)
    if 'libcoreclr' in dso: return 'runtime (coreclr: allocation, gen0 GC, stubs, casts)'
    if 'kallsyms' in dso: return 'kernel (WAL/db page writes, page faults, futex)'
    if 'e_sqlite3' in dso:
        if re.search(r'fts5|Fts5', sym): return 'SQLite: FTS5 index'
        if re.search(r'wal|pager|pcache', sym, re.I): return 'SQLite: pager/WAL/page cache'
        return 'SQLite: b-tree/VDBE (rows, details, rollup upserts)'
    if 'libc.so' in dso or 'ld-linux' in dso: return 'libc (malloc/memcpy/strcmp, mostly under SQLite)'
    if re.search(r'Rollup|HistogramDelta|TaskHourDelta|FailureHourDelta|RuntimeHistogram|RollupNameCap|WorkerGroups', names): return 'managed: rollup keys + histograms'
    if re.search(r'SearchBatch|SearchableFailure|SearchEntry|SortedDictionary|SearchStatements', names): return 'managed: search text + batch'
    if re.search(r'ExceptionTypeOf|TaskStates', names): return 'managed: exception type parse'
    if re.search(r'Microsoft.Data.Sqlite|SQLitePCL|SafeHandle|IL_STUB|Marshal|Utf8|Encoding', names): return 'managed: binding + interop (Microsoft.Data.Sqlite)'
    if 'clrjit' in dso: return 'JIT'
    if 'coreclr' in dso: return 'runtime (coreclr: stubs, casts, other)'
    if re.search(r'Ingest', names): return 'managed: Ingest other (loop, batch, bisector)'
    return 'other'
c=collections.Counter(cat(s) for s in samples)
n=len(samples)
print('| where the time goes | samples | share |\n|---|---:|---:|')
for k,v in c.most_common(20): print(f"| {k} | {v} | {100*v/n:.1f} % |")
print(f'| total | {n} | |')

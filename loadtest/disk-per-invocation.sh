#!/usr/bin/env bash
# Bytes per stored invocation on disk, per component (issue 17): generates the spike tool's 300,000-task capture,
# replays it into a fresh file (search index on, the default) and sums SQLite's dbstat page sizes per table and
# index. Usage: loadtest/disk-per-invocation.sh [TASKS]   (needs python3 with sqlite3's dbstat, as Debian's has)
set -euo pipefail
tasks=${1:-300000}
source "$(dirname "$0")/spike-capture.sh"
# DETAIL_SAMPLE=RATE replays with --detail-sample RATE (issue 29). Details are compressed as the product's default
# is; NO_COMPRESS_DETAILS=1 measures them stored as text (--no-compress-details).
dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/r.db" ${DETAIL_SAMPLE:+--detail-sample "$DETAIL_SAMPLE"} ${NO_COMPRESS_DETAILS:+--no-compress-details} >&2
python3 - "$work/r.db" <<'PY'
import os, re, sqlite3, sys
path = sys.argv[1]
c = sqlite3.connect(path)
days = [t for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name GLOB 'invocations_[0-9]*'")]
n = sum(c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in days)
def component(name):
    if name.startswith('sqlite_autoindex_invocations_'): return 'invocations: task_id index'
    if re.match(r'invocations_\d{8}_name_state_at$', name): return 'invocations: (name, state_at) index'
    if re.match(r'invocations_\d{8}_state_at$', name): return 'invocations: state_at index'
    if name.startswith('invocation_search_'): return 'search index (FTS5, contentless)'
    if re.match(r'(task_hours|failure_hours|group_hours|failure_groups|queue_lengths)_\d{8}', name): return 'rollups'
    return re.sub(r'_\d{8}.*$', '', name)
sizes = {}
for name, b in c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
    sizes[component(name)] = sizes.get(component(name), 0) + b
total = sum(sizes.values())
print(f"{n:,} invocations, file {os.path.getsize(path):,} B\n")
print("| component | bytes | bytes per invocation |\n|---|---:|---:|")
for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]):
    if v / n >= 0.05: print(f"| {k} | {v:,} | {v / n:.1f} |")
print(f"| **total** | {total:,} | **{total / n:.1f}** |")
PY

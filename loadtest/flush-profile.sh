#!/usr/bin/env bash
# Where a replay's CPU goes, per thread, and inside the flush thread (issue 29). Builds, writes a spike capture,
# replays it once under /usr/bin/time (wall, user+sys, max RSS) and once under perf (999 Hz, frame-pointer call
# chains; JIT symbols through the perf map, which needs W^X off), then buckets the flush thread's samples with
# loadtest/flush-profile-classify.py. Usage: loadtest/flush-profile.sh [TASKS]   (needs perf: Debian's linux-perf)
set -euo pipefail
tasks=${1:-100000}
source "$(dirname "$0")/spike-capture.sh"
export DOTNET_GCgen0size=0x1000000 # as the image runs it
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/t.db" --json \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print("elapsed", d["elapsed_s"], "s, flushed", d["invocations_flushed"], "balanced", d["balanced"])'
DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -q -F 999 -g -o "$work/perf.data" -- \
  dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/p.db" --json >/dev/null
echo "samples by thread (999 Hz: ~1 sample per ms of CPU):"
perf report -i "$work/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
echo "inside the flush thread:"
perf script -i "$work/perf.data" --comms ingest-flush -F comm,ip,sym,dso 2>/dev/null | sed 's/^ingest-flush.*/S/' > "$work/flush.script"
python3 "$root/loadtest/flush-profile-classify.py" "$work/flush.script"

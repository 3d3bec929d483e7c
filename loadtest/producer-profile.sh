#!/usr/bin/env bash
# Where a replay's producer time goes (issue 29): reading the capture, decoding, tracking, preparing writes, the
# channel hand-off, against the flush thread. Replays CAPTURE twice with the built binaries (build first):
#   1. under /usr/bin/time and dotnet-counters (CPU, GC count and pause time, allocation rate; a CSV per second),
#   2. under perf (999 Hz, frame-pointer call chains, JIT symbols through the perf map): samples per thread, and
#      the producer threads' samples bucketed by stage with loadtest/producer-profile-classify.py,
#   3. the in-process stage split with allocation by type: Benchmarks' `producer` verb.
# Usage: loadtest/producer-profile.sh CAPTURE [WORKDIR]   (needs perf, dotnet-counters; run under the bench lock)
# The capture: dotnet loadtest/Spike/bin/Release/net10.0/Spike.dll capture --tasks 300000 --seed 11 --out CAPTURE
set -euo pipefail
capture=$1
work=${2:-$(mktemp -d)}
mkdir -p "$work"
root=$(cd "$(dirname "$0")/.." && pwd)
ingest="$root/src/Ingest/bin/Release/net10.0/ingest.dll"
export DOTNET_GCgen0size=0x1000000 # as the image runs it
export PATH="$PATH:$HOME/.dotnet/tools"
rm -f "$work"/t.db* "$work"/p.db* "$work/counters.csv" "$work/counters.sock"
uptime
# The replay waits on the diagnostic port until dotnet-counters connects, so no second goes unrecorded.
dotnet-counters collect --refresh-interval 1 --format csv -o "$work/counters.csv" --counters System.Runtime \
  --diagnostic-port "$work/counters.sock" >/dev/null &
counters=$!
DOTNET_DiagnosticPorts="$work/counters.sock" /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
  dotnet "$ingest" replay "$capture" --db "$work/t.db" --json > "$work/replay.json"
wait $counters
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("elapsed", d["elapsed_s"], "s, flushed", d["invocations_flushed"], "balanced", d["balanced"])' "$work/replay.json"
python3 "$root/loadtest/producer-profile-classify.py" --counters "$work/counters.csv"
DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -q -F 999 -g -o "$work/perf.data" -- \
  dotnet "$ingest" replay "$capture" --db "$work/p.db" --json >/dev/null
perf script -i "$work/perf.data" -F comm,tid,time,ip,sym,dso 2>/dev/null > "$work/perf.script"
python3 "$root/loadtest/producer-profile-classify.py" "$work/perf.script"
if [ "${PRODUCER_VERB:-1}" = 1 ]; then # PRODUCER_VERB=0: a tree from before the verb existed
  dotnet "$root/loadtest/Benchmarks/bin/Release/net10.0/Ingest.Benchmarks.dll" producer --capture "$capture"
fi
uptime

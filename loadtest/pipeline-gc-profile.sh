#!/usr/bin/env bash
# What survives gen0 during a replay, and what each collection costs the flush thread (issue 29). Two replays of
# CAPTURE: one under `dotnet-trace --profile gc-collect` (per collection: generation, pause = the time every
# managed thread is held, promoted bytes), one with heap snapshots at SNAP seconds (live objects by type and
# generation, ClrMD). Usage: loadtest/pipeline-gc-profile.sh CAPTURE WORKDIR [SNAP...]   (run under the bench lock)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
ingest=${INGEST:-$root/src/Ingest/bin/Release/net10.0/ingest.dll} # INGEST=path/ingest.dll: another tree's build
cap=$1
work=$2
shift 2
[ $# -gt 0 ] || set -- 4 8
mkdir -p "$work"
dotnet build -c Release -v q --nologo "$root/loadtest/GcProfile" -o "$work/gctool" >/dev/null || exit 1
export DOTNET_GCgen0size=0x1000000 DOTNET_GCgen0MaxBudget=0x2000000 # as the image runs it
rm -f "$work"/gc.db* "$work/gc.nettrace"
echo "load: $(cat /proc/loadavg)"
"$HOME/.dotnet/tools/dotnet-trace" collect --show-child-io --profile gc-collect -o "$work/gc.nettrace" -- \
  dotnet "$ingest" replay "$cap" --db "$work/gc.db" --json > "$work/trace-replay.out" 2>/dev/null
grep '"elapsed_s"' "$work/trace-replay.out"
dotnet "$work/gctool/GcProfile.dll" gcs "$work/gc.nettrace" > "$work/gcs.txt"
grep '^#' "$work/gcs.txt"
echo "load: $(cat /proc/loadavg)"
rm -f "$work"/gc.db*
dotnet "$ingest" replay "$cap" --db "$work/gc.db" --json > "$work/heap-replay.out" &
pid=$!
last=0
for s in "$@"; do
  sleep $((s - last)); last=$s
  echo "== heap at ${s} s"
  dotnet "$work/gctool/GcProfile.dll" heap "$pid" 20
done
wait $pid
grep '"elapsed_s"' "$work/heap-replay.out"
echo "load: $(cat /proc/loadavg)"

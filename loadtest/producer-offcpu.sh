#!/usr/bin/env bash
# Where the replay's flush thread leaves the CPU (issue 29): every sched_switch of one replay with its call chain,
# then loadtest/producer-offcpu.py sums each thread's time off the CPU by state (R preempted, S asleep, D disk) and
# by where it went to sleep. Usage: loadtest/producer-offcpu.sh CAPTURE WORKDIR   (run under the bench lock)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
ingest="$root/src/Ingest/bin/Release/net10.0/ingest.dll"
cap=$1
work=$2
mkdir -p "$work"
rm -f "$work"/off.db*
echo "load: $(cat /proc/loadavg)"
DOTNET_GCgen0size=0x1000000 DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -q -e sched:sched_switch -g -o "$work/off.data" -- \
  dotnet "$ingest" replay "$cap" --db "$work/off.db" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print("elapsed", d["elapsed_s"])'
perf script -i "$work/off.data" -F comm,tid,time,trace,ip,sym 2>/dev/null > "$work/off.script"
echo "load: $(cat /proc/loadavg)"
python3 "$root/loadtest/producer-offcpu.py" "$work/off.script"

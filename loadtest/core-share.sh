#!/usr/bin/env bash
# Issue 29: is the writer slower in the pipeline because the two CPUs share something (an SMT sibling, cache, memory
# bus), or because it shares its own CPU with the producer's threads? Two experiments on one capture, alternating:
#  1. `writerfill` (the product's writer alone, the replay's invocations) pinned to CPU 0, with CPU 1 idle, busy in
#     registers (hog alu), or busy reading and writing 256 MiB at random (hog mem).
#  2. `replay` free, against replay with its flush thread ("ingest-flush") alone on CPU 0 and every other thread on
#     CPU 1.
# Usage: flock /tmp/ingest-bench.lock loadtest/core-share.sh CAPTURE [ROUNDS=2]   (needs 2 CPUs, gcc, taskset)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
capture=${1:?usage: loadtest/core-share.sh CAPTURE [ROUNDS]}
rounds=${2:-2}
dotnet build -c Release "$root/loadtest/Benchmarks" -v quiet --nologo >/dev/null
bench="$root/loadtest/Benchmarks/bin/Release/net10.0"
work=$(mktemp -d /tmp/core-share.XXXXXX)
hogs=()
trap 'for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
gcc -O2 -o "$work/hog" "$root/loadtest/CoreShare/hog.c"
export DOTNET_GCgen0size=0x1000000 DOTNET_GCgen0MaxBudget=0x2000000

replay() { # replay DB [pin]: prints elapsed_s flushed dropped events/s user_s sys_s
  local db=$1 pin=${2:-} tid= t
  rm -rf "$db"*
  if [ -n "$pin" ]; then
    /usr/bin/time -f "%U %S" -o "$work/time" taskset -c 1 dotnet "$bench/ingest.dll" replay "$capture" --db "$db" --json --batch-size 2000 > "$work/replay.json" &
  else
    /usr/bin/time -f "%U %S" -o "$work/time" dotnet "$bench/ingest.dll" replay "$capture" --db "$db" --json --batch-size 2000 > "$work/replay.json" &
  fi
  local waiter=$!
  if [ -n "$pin" ]; then
    for _ in $(seq 1 500); do
      for pid in $(pgrep -f "ingest.dll replay $capture --db $db" || true); do
        t=$(grep -l '^ingest-flush$' /proc/"$pid"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5 || true)
        [ -n "$t" ] && tid=$t
      done
      [ -n "$tid" ] && break
      sleep 0.02
    done
    [ -n "$tid" ] || { echo "no ingest-flush thread found" >&2; exit 1; }
    taskset -p -c 0 "$tid" >/dev/null
  fi
  wait "$waiter"
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); t=open(sys.argv[2]).read().split()
print(j["elapsed_s"], j["invocations_flushed"], sum(j["invocations_dropped"].values()), round(sum(j["events_accepted"].values())/j["elapsed_s"]), t[0], t[1])' "$work/replay.json" "$work/time"
}

read -r _ flushed _ < <(replay "$work/templates.db")
echo "## 1. The writer alone on CPU 0 ($flushed invocations)"
echo
echo "| round | CPU 1 | load | rows/s | wall s | user s | sys s |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$rounds"); do
  for h in idle alu mem; do
    rm -rf "$work/w"
    hp=
    if [ "$h" != idle ]; then taskset -c 1 "$work/hog" "$h" & hp=$!; hogs+=("$hp"); sleep 1; fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(/usr/bin/time -f "TIME %e %U %S" taskset -c 0 dotnet "$bench/Ingest.Benchmarks.dll" writerfill --rows "$flushed" --step "$flushed" --templates-db "$work/templates.db" --stride 1 --dir "$work/w" 2>&1)
    [ -n "$hp" ] && { kill "$hp"; wait "$hp" 2>/dev/null || true; }
    rate=$(printf '%s\n' "$out" | python3 -c 'import sys
rows=[l for l in sys.stdin if l.startswith("|") and l.split("|")[1].strip().replace(",","").isdigit()]
print(rows[0].split("|")[2].strip().replace(",",""))')
    read -r _ wall user sys < <(printf '%s\n' "$out" | grep '^TIME')
    echo "| $r | $h | $load | $rate | $wall | $user | $sys |"
  done
done
echo
echo "## 2. The replay, free or with its flush thread alone on CPU 0"
echo
echo "| round | threads | load | replay s | events/s | dropped | user s | sys s |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$rounds"); do
  for mode in free pinned; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r secs _ dropped rate user sys < <(replay "$work/r.db" $([ $mode = pinned ] && echo pin))
    echo "| $r | $mode | $load | $secs | $rate | $dropped | $user | $sys |"
  done
done

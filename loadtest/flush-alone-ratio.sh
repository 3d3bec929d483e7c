#!/usr/bin/env bash
# Issue 29's ratio as its text defines it: the whole pipeline (`ingest replay` of a capture: read, decode, track,
# channel, flush) against the product's flush alone (`writerfill`: the same InvocationWriter with details, search
# and rollups, handed the invocations that replay stored, prepared outside the timing) into an empty day, in one
# run, alternating, ROUNDS times. `pipeline` (PipelineRatioReport) compares with a plainer insert loop instead.
# Usage: flock /tmp/ingest-bench.lock loadtest/flush-alone-ratio.sh CAPTURE [ROUNDS=3]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
capture=${1:?usage: loadtest/flush-alone-ratio.sh CAPTURE [ROUNDS]}
rounds=${2:-3}
dotnet build -c Release "$root/loadtest/Benchmarks" -v quiet --nologo >/dev/null
bench="$root/loadtest/Benchmarks/bin/Release/net10.0"
work=$(mktemp -d /tmp/flush-alone.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "| round | load | replay s | invocations | replay invocations/s | events/s | flush alone rows/s | ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/r.db"* "$work/w"
  load=$(cut -d' ' -f1 /proc/loadavg)
  # As the image starts it (Dockerfile) and as PipelineRatioReport runs it; timed by replay's own clock.
  json=$(DOTNET_GCgen0size=0x1000000 DOTNET_GCgen0MaxBudget=0x2000000 dotnet "$bench/ingest.dll" replay "$capture" --db "$work/r.db" --json --batch-size 2000)
  read -r seconds flushed events dropped balanced < <(python3 -c 'import json,sys; j=json.loads(sys.argv[1])
print(j["elapsed_s"], j["invocations_flushed"], sum(j["events_accepted"].values()), sum(j["invocations_dropped"].values()), j["balanced"])' "$json")
  [ "$dropped" = 0 ] && [ "$balanced" = True ] || { echo "replay dropped $dropped or did not balance" >&2; exit 1; }
  out=$(DOTNET_GCgen0size=0x1000000 DOTNET_GCgen0MaxBudget=0x2000000 dotnet "$bench/Ingest.Benchmarks.dll" writerfill --rows "$flushed" --step "$flushed" --templates-db "$work/r.db" --stride 1 --dir "$work/w" 2>/dev/null)
  alone=$(printf '%s\n' "$out" | python3 -c 'import sys
rows=[l for l in sys.stdin if l.startswith("|") and l.split("|")[1].strip().replace(",","").isdigit()]
print(rows[0].split("|")[2].strip().replace(",",""))')
  python3 - "$r" "$load" "$seconds" "$flushed" "$events" "$alone" <<'PY'
import sys
r, load, seconds, flushed, events, alone = sys.argv[1:]
s = float(seconds); rate = int(flushed) / s
print(f"| {r} | {load} | {s:.2f} | {int(flushed):,} | {rate:,.0f} | {int(events)/s:,.0f} | {float(alone):,.0f} | {rate/float(alone):.2f} |")
PY
done

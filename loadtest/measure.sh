#!/usr/bin/env bash
# Reproduces the figures in loadtest/Spike/results/: the compressed incident spike against a file holding a
# 1M-row day that retention drops during the spike, then a step ramp on a fresh file, then the raw insert
# baseline, all on this machine in one run. Takes about 15 minutes. Output: loadtest/Spike/results/*.txt
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/loadtest/Spike/results"
work=$(mktemp -d /tmp/ingest-measure.XXXXXX)
port=${PORT:-18080}
mkdir -p "$out"
dotnet build -c Release "$root/src/Ingest" -v quiet --nologo >/dev/null
dotnet build -c Release "$root/loadtest/Spike" -v quiet --nologo >/dev/null
ingest="$root/src/Ingest/bin/Release/net10.0/ingest.dll"
spike="$root/loadtest/Spike/bin/Release/net10.0/Spike.dll"
pid=
stop() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -rf "$work"' EXIT

start_ingest() { # $1 = db, rest = options
  local db=$1; shift
  dotnet "$ingest" serve --db "$db" --urls "http://127.0.0.1:$port" --no-auth --http-ingest "$@" > "$work/ingest.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz/live" >/dev/null && return 0; sleep 0.2; done
  echo "ingest did not start"; cat "$work/ingest.log"; exit 1
}

echo "== seeding a 1,000,000-row day 8 days old"
dotnet "$spike" seed --db "$work/spike.db" --rows 1000000 --days-ago 8

echo "== incident spike (13k -> 73k tasks/min, durations / 15), retention of the old day due 60 s in"
start_ingest "$work/spike.db" --retention-days 7 --retention-delay-s 60
dotnet "$spike" run --target "http://127.0.0.1:$port" --profile incident --compress 15 | tee "$out/incident-spike.txt"
curl -s "http://127.0.0.1:$port/healthz" > "$work/health.json"
python3 - "$work/health.json" >> "$out/incident-spike.txt" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
s = h["storage"]
print(f"retention during the run: {s['last_drop']}, DROP {s['last_drop_ms']:.0f} ms; vacuum {s['vacuum']['steps']} steps; "
      f"file {s['file_bytes']/1048576:.0f} MiB, free pages {s['freelist_bytes']/1048576:.1f} MiB; "
      f"longest flush stall {h['flush_loop']['max_stall_ms']:.0f} ms; longest maintenance step {h['flush_loop']['max_maintenance_ms']:.0f} ms")
PY
stop

echo "== step ramp on a fresh file"
start_ingest "$work/ramp.db"
dotnet "$spike" run --target "http://127.0.0.1:$port" --profile ramp --ramp-start 30000 --ramp-step 30000 --ramp-step-s 20 --ramp-max 300000 | tee "$out/ramp.txt"
stop

echo "== the pipeline's own ceiling: replay of a 300,000-task capture (decode, track, flush; no generator competing), search index on, then off"
dotnet "$spike" capture --tasks 300000 --out "$work/capture.jsonl"
dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/replay.db" --json > "$work/replay.json"
Ingest__Storage__SearchIndex=false dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/replay-noindex.db" --json > "$work/replay-noindex.json"
python3 - "$work/replay.json" "$work/replay-noindex.json" <<'PY' | tee "$out/replay.txt"
import json, sys
for path, label in zip(sys.argv[1:], ["search index on (default)", "search index off"]):
    r = json.load(open(path))
    rate = r["invocations_flushed"] / r["elapsed_s"]
    print(f"replay, {label}: {r['invocations_flushed']:,} invocations from {r['messages']:,} messages in {r['elapsed_s']:.1f} s = {rate:,.0f} invocations/s "
          f"({rate*60:,.0f}/min); dropped {sum(r['invocations_dropped'].values())}, balanced {r['balanced']}")
PY

echo "== raw insert baseline, same rows, same schema, in the same run"
dotnet "$spike" baseline --seconds 20 | tee "$out/baseline.txt"
python3 - "$out/replay.txt" "$out/baseline.txt" <<'PY' | tee -a "$out/baseline.txt"
import re, sys
replay = open(sys.argv[1]).read()
raw = float(re.search(r"loop: ([\d,]+) rows/s", open(sys.argv[2]).read()).group(1).replace(",", ""))
for label in ["search index on (default)", "search index off"]:
    rate = float(re.search(re.escape(label) + r": .*?= ([\d,]+) invocations/s", replay).group(1).replace(",", ""))
    print(f"ratio, {label}: Ingest end to end (decode + track + flush) {rate:,.0f}/s over the raw insert loop {raw:,.0f}/s = {rate/raw:.2f}")
PY

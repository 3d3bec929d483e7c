#!/usr/bin/env bash
# Startup of `serve` on a large file (issue 17): time from exec to /healthz/live, /healthz/ready and a first page
# of the task list, with the file's size and row count. Nothing at startup may scan the file or build an index, so
# the figures must not depend on its size. Usage:
#   loadtest/startup-big-file.sh DB [RUNS]
# DB: a file written by `dotnet run -c Release --project loadtest/Benchmarks -- fillcurve` (50M rows: ~40 GB) or by
# `spike seed`. The first run follows whatever the OS page cache holds; the script then drops nothing (it cannot
# without root) and says so. Prints one line per run and a summary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
db=${1:?usage: startup-big-file.sh DB [RUNS]}
runs=${2:-3}
port=${PORT:-18090}
dotnet build -c Release "$root/src/Ingest" -v quiet --nologo >/dev/null
ingest="$root/src/Ingest/bin/Release/net10.0/ingest.dll"
log=$(mktemp /tmp/ingest-startup.XXXXXX.log)
pid=
stop() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -f "$log"' EXIT
now_ms() { date +%s%3N; }

size=$(stat -c %s "$db")
echo "file $db: $(numfmt --to=iec --suffix=B "$size") ($size bytes)"
for run in $(seq 1 "$runs"); do
  start=$(now_ms)
  # Retention 400 days: the measured day must not be dropped between runs (a drop is timed elsewhere).
  dotnet "$ingest" serve --db "$db" --urls "http://127.0.0.1:$port" --no-auth --retention-days 400 > "$log" 2>&1 &
  pid=$!
  live= ready= page=
  for _ in $(seq 1 3000); do
    if [ -z "$live" ] && curl -sf "http://127.0.0.1:$port/healthz/live" >/dev/null 2>&1; then live=$(( $(now_ms) - start )); fi
    if [ -n "$live" ] && [ -z "$ready" ] && curl -sf "http://127.0.0.1:$port/healthz/ready" >/dev/null 2>&1; then ready=$(( $(now_ms) - start )); fi
    if [ -n "$ready" ]; then
      t0=$(now_ms)
      curl -sf "http://127.0.0.1:$port/api/invocations?limit=50" -o /dev/null
      page=$(( $(now_ms) - t0 ))
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "serve exited:"; cat "$log"; exit 1; fi
    sleep 0.01
  done
  [ -n "$ready" ] || { echo "not ready after 30 s"; cat "$log"; exit 1; }
  health=$(curl -s "http://127.0.0.1:$port/healthz")
  echo "run $run: live after ${live} ms, ready after ${ready} ms, first page of /api/invocations (50 rows) in ${page} ms"
  stop
done
echo "healthz at the last start: $(echo "$health" | head -c 600)"
echo "reproduce: loadtest/startup-big-file.sh $db $runs"

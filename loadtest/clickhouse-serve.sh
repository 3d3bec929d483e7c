#!/usr/bin/env bash
# Ingest writing to ClickHouse on this machine (issue 26), in one run: (1) the spike tool's capture of TASKS tasks
# replayed into SQLite and into a private ClickHouse (rate of each, same capture); (2) bytes per invocation of the
# replayed rows from ClickHouse's system.parts, per table (invocations, details, task_days, terms); (3) `serve
# --clickhouse` taking the same capture over HTTP with its RSS sampled each second. The private server is Debian's
# clickhouse-server 18.16 (the shared fixture's server.sh) on a free loopback port, its data in a temp dir removed at
# the end. Usage: loadtest/clickhouse-serve.sh [TASKS]
set -euo pipefail
tasks=${1:-300000}
source "$(dirname "$0")/spike-capture.sh"
shared=${INGEST_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}
chport=$(python3 -c 'import random; print(random.randrange(20000, 30000, 10))')
port=$((chport + 5))
pid=
stop() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi
  bash "$shared/fixtures/clickhouse/server.sh" stop "$chport" "$work/clickhouse" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
bash "$shared/fixtures/clickhouse/server.sh" start "$chport" "$work/clickhouse" >&2
ch="http://default@127.0.0.1:$chport"
q() { curl -sf "http://127.0.0.1:$chport/" --data-binary "$1"; }

echo "== replay of the spike capture ($tasks tasks), SQLite and ClickHouse"
for store in sqlite clickhouse; do
  start=$(date +%s.%N)
  if [ "$store" = sqlite ]; then dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/r.db" >&2
  else dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/c.db" --clickhouse "$ch/replay" >&2; fi
  end=$(date +%s.%N)
  echo "$store: $(python3 -c "print(f'{$end - $start:.1f} s')") (process start to exit)"
done
n=$(q "SELECT uniqExact(task_id) FROM replay.invocations FORMAT TabSeparated")
echo
echo "== bytes per invocation in ClickHouse ($n invocations replayed)"
echo "| table | rows | bytes on disk | bytes per invocation |"
echo "|---|---:|---:|---:|"
q "SELECT table, sum(rows), sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'replay' GROUP BY table ORDER BY sum(bytes_on_disk) DESC FORMAT TabSeparated" |
  awk -F'\t' -v n="$n" '{ t += $3; printf "| %s | %d | %d | %.1f |\n", $1, $2, $3, $3 / n } END { printf "| all | | %d | %.1f |\n", t, t / n }'

echo
echo "== serve --clickhouse taking the same capture over HTTP (POST /api/events, 2,000 events a request), RSS sampled each second"
# Not the spike tool's run: it probes /api/ingest, which answers 500 with --clickhouse on this commit (IngestStatus
# asks SQLite for its memory before anything opened SQLite). The capture's bodies are posted as fast as serve takes them.
dotnet "$ingest" serve --db "$work/s.db" --clickhouse "$ch/serve" --urls "http://127.0.0.1:$port" --no-auth --http-ingest > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz/live" >/dev/null && break; sleep 0.2; done
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null; sleep 1; done ) > "$work/rss.txt" &
sampler=$!
python3 - "$work/capture.jsonl" "http://127.0.0.1:$port/api/events" <<'PY'
import base64, json, sys, time, urllib.error, urllib.request
events, sent, start = [], 0, time.time()
def post():
    global events, sent
    data = json.dumps(events).encode()
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(sys.argv[2], data=data, headers={"Content-Type": "application/json"}), timeout=60).read()
            break
        except urllib.error.HTTPError as e:
            if e.code != 503: raise
            time.sleep(float(e.headers.get("Retry-After") or 0.2)) # serve's back-pressure: its queue is full
    sent += len(events); events = []
for line in open(sys.argv[1]):
    body = json.loads(base64.b64decode(json.loads(line)["body_b64"]))
    events.extend(body if isinstance(body, list) else [body])
    if len(events) >= 2000: post()
if events: post()
print(f"posted {sent:,} events in {time.time() - start:.1f} s ({sent / (time.time() - start):,.0f} events/s)")
PY
sleep 10 # the last batches' flush
echo "stored by serve: $(q "SELECT uniqExact(task_id) FROM serve.invocations FORMAT TabSeparated") invocations"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
wait "$sampler" 2>/dev/null || true
sort -n "$work/rss.txt" | awk '{ a[NR] = $1 } END { printf "serve RSS over %d samples: median %.0f MiB, p95 %.0f MiB, max %.0f MiB\n", NR, a[int(NR / 2) + 1] / 1024, a[int(NR * 0.95) + 1] / 1024, a[NR] / 1024 }'

#!/usr/bin/env bash
# The incident rate over AMQP with kill -9s (issue 13): Spike publishes steady traffic to a broker while Ingest is
# killed with SIGKILL KILLS times and restarted; at the end every task the tool published must be stored once,
# with its name. Needs a broker: AMQP=amqp://guest:guest@127.0.0.1:PORT/ (../shared/fixtures/celery-events/broker.sh).
#   AMQP=... loadtest/crash-amqp.sh [RATE=73000] [SECONDS=60] [KILLS=5]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rate=${1:-73000}; seconds=${2:-60}; kills=${3:-5}
amqp=${AMQP:?set AMQP to the broker URL}
work=$(mktemp -d /tmp/ingest-crash.XXXXXX)
queue="ingest.crash.$(basename "$work")"  # a queue of its own: nothing left from another run
port=18095
dll="$root/src/Ingest/bin/Release/net10.0/ingest.dll"
dotnet build -c Release "$root/src/Ingest" --nologo -v q >/dev/null
dotnet build -c Release "$root/loadtest/Spike" --nologo -v q >/dev/null
start() { dotnet "$dll" --db "$work/ingest.db" --urls "http://127.0.0.1:$port" --no-auth --amqp "$amqp" --amqp-queue "$queue" >>"$work/serve.log" 2>&1 & echo $!; }
ready() { for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }
pid=$(start); ready
dotnet run -c Release --no-build --project "$root/loadtest/Spike" -- run --profile steady --rate "$rate" --duration-s "$seconds" \
  --amqp "$amqp" --target "http://127.0.0.1:$port" --drain-timeout-s 1 >"$work/spike.log" 2>&1 &
spike=$!
for k in $(seq 1 "$kills"); do
  sleep $(( seconds / (kills + 1) ))
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  echo "kill -9 number $k at $(date -u +%T)"
  pid=$(start); ready
done
wait "$spike" || true
sent=$(tr '\r' '\n' < "$work/spike.log" | grep -oE 'tasks sent [0-9,]+' | tail -1 | grep -oE '[0-9,]+' | tr -d ,)
# Let the queue drain into the last instance, then stop it cleanly.
for _ in $(seq 1 600); do
  q=$(curl -s "http://127.0.0.1:$port/api/ingest" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['backlog']['queued'] + d['backlog']['in_progress'] + d['tracker']['in_flight'])")
  [ "$q" = 0 ] && break; sleep 0.5
done
sleep 3
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
python3 - "$work/ingest.db" "$sent" <<'PY'
import sqlite3, sys
db, sent = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
tables = [r[0] for r in c.execute("select name from sqlite_master where type='table' and name glob 'invocations_[0-9]*'")]
ids, nameless = set(), 0
for t in tables:
    for tid, name in c.execute(f'select task_id, name from "{t}"'):
        ids.add(tid); nameless += name is None
print(f"tasks published {sent:,}; distinct tasks stored {len(ids):,}; lost {sent - len(ids):,}; nameless {nameless:,}; "
      f"integrity {c.execute('pragma integrity_check').fetchone()[0]}; checkpoint rows left {c.execute('select count(*) from inflight_tasks').fetchone()[0]}")
PY
rm -rf "$work"

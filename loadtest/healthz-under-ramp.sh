#!/usr/bin/env bash
# /healthz round trip under the step ramp to 300k tasks/min (issue 17), timed two ways: by the load tool's own
# sampler (inside the generator process, so its own GC pauses count) and by curl in a process of its own every
# 100 ms (what a kubelet sees). Ingest serves a fresh file with HTTP ingest on the same 2 cores as the generator.
# Usage: loadtest/healthz-under-ramp.sh [ENV=VALUE ...]   e.g. DOTNET_GCgen0size=0x1000000 (the image's setting)
# Without arguments Ingest runs with the image's setting; pass X=1 for the runtime's own nursery.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dotnet build -c Release "$root/src/Ingest" -v quiet --nologo >/dev/null
dotnet build -c Release "$root/loadtest/Spike" -v quiet --nologo >/dev/null
ingest="$root/src/Ingest/bin/Release/net10.0/ingest.dll"
spike="$root/loadtest/Spike/bin/Release/net10.0/Spike.dll"
work=$(mktemp -d /tmp/healthz-ramp.XXXXXX)
port=${PORT:-18182}
[ $# -gt 0 ] || set -- DOTNET_GCgen0size=0x1000000
pid=
trap 'touch "$work/stop"; [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
env "$@" dotnet "$ingest" serve --db "$work/r.db" --urls "http://127.0.0.1:$port" --no-auth --http-ingest > "$work/ingest.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz/live" >/dev/null && break; sleep 0.2; done
curl -s -o /dev/null "http://127.0.0.1:$port/healthz" # the report's first serialization, before sampling
( while [ ! -f "$work/stop" ]; do curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$port/healthz" >> "$work/curl.txt"; sleep 0.1; done ) &
sampler=$!
echo "== Ingest with: $*"
dotnet "$spike" run --target "http://127.0.0.1:$port" --profile ramp --ramp-start 30000 --ramp-step 30000 --ramp-step-s 20 --ramp-max 300000 \
  | grep -E "invariant|max RSS|round trip|answered in|highest" || true
touch "$work/stop"; wait "$sampler" || true
python3 - "$work/curl.txt" <<'PY'
import sys
v = sorted(float(x) * 1000 for x in open(sys.argv[1]) if x.strip())
n = len(v)
print(f"/healthz round trip by curl in its own process over {n} samples: p50 {v[n // 2]:.2f} ms, "
      f"p99 {v[min(n - 1, int(n * 0.99))]:.2f} ms, max {v[-1]:.2f} ms; over 50 ms: {sum(1 for x in v if x > 50)}")
PY

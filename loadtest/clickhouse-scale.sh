#!/usr/bin/env bash
# Lookup by id and order-id search latency on ClickHouse at 10M and 70M invocations over 7 days (issue 26), with the
# bytes per invocation of each table. Starts a private clickhouse-server (the shared fixture's server.sh: Debian's
# 18.16) on a free loopback port with its data in a temp dir, lets the Benchmarks report generate the rows
# server-side and time the reader, prints the markdown report, stops the server and removes the data.
# Usage: loadtest/clickhouse-scale.sh [SIZES]   (default 10000000,70000000; comma-separated, each adds to the last)
# Needs about 700 bytes of disk per invocation while it runs with the hashed terms of schema version 5 (1.3 KB with
# the id-carrying terms before it: merged-away parts wait 8 minutes before they are deleted; the 10M run ended with
# 4.8 GB in the data dir, about 250 bytes stay): it refuses to start if less than 20 GB would remain.
set -euo pipefail
sizes=${1:-10000000,70000000}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${INGEST_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}
work=$(mktemp -d)
largest=$(tr ',' '\n' <<<"$sizes" | sort -n | tail -1)
free_kb=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
need_kb=$(( largest * 700 / 1024 + 20 * 1024 * 1024 ))
if [ "$free_kb" -lt "$need_kb" ]; then
  echo "clickhouse-scale: $((free_kb / 1024 / 1024)) GB free in $work, $((need_kb / 1024 / 1024)) GB needed (20 GB must remain)" >&2
  rm -rf "$work"; exit 2
fi
port=$(python3 -c 'import random; print(random.randrange(20000, 30000, 10))')
cleanup() { bash "$shared/fixtures/clickhouse/server.sh" stop "$port" "$work/clickhouse" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
bash "$shared/fixtures/clickhouse/server.sh" start "$port" "$work/clickhouse" >&2
dotnet build "$root/loadtest/Benchmarks/Ingest.Benchmarks.csproj" -c Release --nologo -v quiet >&2
dotnet "$root/loadtest/Benchmarks/bin/Release/net10.0/Ingest.Benchmarks.dll" clickhouse-scale \
  --url "http://default@127.0.0.1:$port/scale" --sizes "$sizes"
echo
echo "Disk of the server's data dir at the end: $(du -sh "$work/clickhouse" | cut -f1)"

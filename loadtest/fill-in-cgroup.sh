#!/usr/bin/env bash
# The fill ratio inside a memory limit (issue 29): Ingest's writer fills one day from empty to ROWS invocations
# (`Ingest.Benchmarks writerfill`: details, search index and rollups on, 2,000-row batches, the spike capture's row
# mix) inside a cgroup v1 memory controller limited to LIMIT_MIB, where the page cache counts against the limit as
# it does in a Kubernetes pod; then `ingest replay` of the same capture inside the same limit. Reports the rate per
# million rows, the last million over the first, peak rss and page cache (sampled every 0.5 s), failcnt, OOM kills,
# major faults and the file size; for the replay, its peak RSS.
#
# Usage (root; cgroup v1 with the memory controller; about 15-30 minutes and ROWS x ~0.7 KB of disk):
#   loadtest/fill-in-cgroup.sh [ROWS]        ROWS defaults to 10000000
# Environment: LIMIT_MIB (1024), TASKS (300000) and SEED (11) of the spike capture, STRIDE (15: every 15th stored
# invocation of the capture is a template row), TIMEOUT_S (2400 per measured phase), DIR (a temp dir under it),
# LOCK (/tmp/ingest-bench.lock: each measured phase holds it, so no other benchmark runs beside it), KEEP=1 keeps
# the files, CGROUP (ingest-fill: the cgroup's name, for a second run beside a first), FILL_ARGS (more writerfill
# options, e.g. "--mmap-mib 16384"). Build, capture and the
# template replay run outside the cgroup and the lock. A control without the pressure of the limit:
#   LIMIT_MIB=65536 CGROUP=ingest-fill-control loadtest/fill-in-cgroup.sh
set -euo pipefail

rows=${1:-10000000}
limit_mib=${LIMIT_MIB:-1024}
tasks=${TASKS:-300000}
seed=${SEED:-11}
stride=${STRIDE:-15}
timeout_s=${TIMEOUT_S:-2400}
lock=${LOCK:-/tmp/ingest-bench.lock}
memroot=/sys/fs/cgroup/memory
name=${CGROUP:-ingest-fill}
[[ $name =~ ^[a-z0-9-]+$ ]] || { echo "fill-in-cgroup: CGROUP must be a plain name" >&2; exit 2; }
cg=$memroot/$name

die() { echo "fill-in-cgroup: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "must run as root (it creates a memory cgroup)"
[[ -f $memroot/memory.limit_in_bytes && -w $memroot ]] || die "no writable cgroup v1 memory controller at $memroot"
[[ ! -e $cg ]] || die "$cg exists (another run, or a stale one: check its cgroup.procs, then rmdir it)"

root=$(cd "$(dirname "$0")/.." && pwd)
# Both measured processes run with the container image's GC settings (Dockerfile), as operators run the service.
gc="DOTNET_GCgen0size=0x1000000 DOTNET_GCgen0MaxBudget=0x2000000"
work=$(mktemp -d -p "${DIR:-/tmp}" fill-in-cgroup.XXXXXX)
sampler=
cleanup() {
    [[ -n $sampler ]] && kill "$sampler" 2>/dev/null || true
    if [[ -d $cg ]]; then
        # Only processes this script put there can be in it (it refused to start if the cgroup existed).
        for pid in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.5; done
        [[ ! -d $cg ]] || echo "fill-in-cgroup: could not remove $cg" >&2
    fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sample the cgroup's rss and page cache every 0.5 s, keeping the peaks (memory.stat has no peak of its own).
start_sampler() {
    (
        max_rss=0 max_cache=0
        while :; do
            read -r rss cache < <(awk '$1=="total_rss"{r=$2} $1=="total_cache"{c=$2} END{print r, c}' "$cg/memory.stat" 2>/dev/null || echo "0 0")
            (( rss > max_rss )) && max_rss=$rss
            (( cache > max_cache )) && max_cache=$cache
            echo "$max_rss $max_cache" > "$work/peaks.tmp" && mv "$work/peaks.tmp" "$work/peaks"
            sleep 0.5
        done
    ) &
    sampler=$!
}

make_cgroup() {
    mkdir "$cg"
    echo $((limit_mib * 1024 * 1024)) > "$cg/memory.limit_in_bytes"
    echo "0 0" > "$work/peaks"
    start_sampler
}

report_cgroup() {
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    sampler=
    read -r peak_rss peak_cache < "$work/peaks"
    echo "- cgroup limit $limit_mib MiB; memory.max_usage_in_bytes $(( $(cat "$cg/memory.max_usage_in_bytes") / 1048576 )) MiB (rss + page cache)"
    echo "- peak rss $(( peak_rss / 1048576 )) MiB, peak page cache $(( peak_cache / 1048576 )) MiB (memory.stat total_rss / total_cache, sampled every 0.5 s)"
    echo "- memory.failcnt $(cat "$cg/memory.failcnt") (times the limit was hit and pages reclaimed); OOM kills $(awk '$1=="oom_kill"{print $2}' "$cg/memory.oom_control") (memory.oom_control)"
    echo "- memory.stat at the end: $(grep -E '^total_(rss|cache|mapped_file|dirty|writeback|pgmajfault|pgpgin|pgpgout) ' "$cg/memory.stat" | tr '\n' ' ')"
    rmdir "$cg"
}

echo "## fill-in-cgroup $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD), $rows rows, limit $limit_mib MiB"
echo
echo "- load before: $(uptime)"
timeout 900 dotnet build "$root/Ingest.sln" -c Release --nologo -v quiet >&2
ingest=$root/src/Ingest/bin/Release/net10.0/ingest.dll
bench=$root/loadtest/Benchmarks/bin/Release/net10.0/Ingest.Benchmarks.dll
timeout 900 dotnet "$root/loadtest/Spike/bin/Release/net10.0/Spike.dll" capture --tasks "$tasks" --seed "$seed" --out "$work/capture.jsonl" >&2
echo "- capture: Spike capture --tasks $tasks --seed $seed, $(( $(stat -c %s "$work/capture.jsonl") / 1000000 )) MB"
# The template rows: what a replay of the capture stores (outside the cgroup; its file is only read afterwards).
timeout 900 dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/templates.db" --json > "$work/templates.json"

echo
echo "### 1. writerfill to $rows rows in the cgroup"
echo
make_cgroup
started=$(date +%s)
flock "$lock" env $gc bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cg" \
    timeout --kill-after=30 "$timeout_s" dotnet "$bench" writerfill --rows "$rows" --dir "$work/fill" --templates-db "$work/templates.db" \
    --stride "$stride" --cgroup "$cg" ${FILL_ARGS:-} > "$work/fill.md" 2> >(tee "$work/fill.log" >&2) || { echo "- writerfill failed or timed out (exit $?)"; }
echo "- wall time $(( $(date +%s) - started )) s; load after: $(uptime)"
cat "$work/fill.md"
report_cgroup
echo "- file: $(stat -c %s "$work/fill/day.db" 2>/dev/null || echo 0) bytes, WAL $(stat -c %s "$work/fill/day.db-wal" 2>/dev/null || echo 0) bytes"
rm -rf "$work/fill"

echo
echo "### 2. ingest replay of the capture in the cgroup"
echo
# Drop the capture's pages from the page cache (this file only), so the replay reads it charged to the cgroup, as in a pod.
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$work/capture.jsonl"
make_cgroup
flock "$lock" env $gc bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cg" \
    timeout --kill-after=30 "$timeout_s" /usr/bin/time -f "replay: wall %e s, user %U s, sys %S s, max RSS %M KB" -o "$work/time.txt" dotnet "$ingest" replay "$work/capture.jsonl" --db "$work/replay.db" --json > "$work/replay.json" \
    || echo "- replay failed or timed out (exit $?)"
echo "- $(cat "$work/time.txt" | tail -1); load after: $(uptime)"
python3 - "$work/replay.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
dropped = sum(s["invocations_dropped"].values())
print(f'- replay: {s["messages"]:,} messages in {s["elapsed_s"]} s; invocations received {s["invocations_received"]:,}, '
      f'flushed {s["invocations_flushed"]:,}, dropped {dropped:,} {s["invocations_dropped"]}, balanced {s["balanced"]}, '
      f'written before finishing {s["written_before_finish"]}')
PY
report_cgroup

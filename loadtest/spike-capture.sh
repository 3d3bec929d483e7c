# Sourced by the loadtest scripts that replay a spike capture: builds the solution and writes the spike tool's
# capture of $tasks tasks to $work/capture.jsonl in a temp directory removed on exit. Sets root, work and ingest.
root=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build "$root/Ingest.sln" -c Release --nologo -v quiet >&2
dotnet "$root/loadtest/Spike/bin/Release/net10.0/Spike.dll" capture --tasks "$tasks" --out "$work/capture.jsonl" >&2
ingest="$root/src/Ingest/bin/Release/net10.0/ingest.dll"

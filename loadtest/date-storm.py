#!/usr/bin/env python3
"""Date storm (issue 24): TASKS tasks posted to `serve` (HTTP ingest, no auth), each dated on its own day from
1990-01-01 every STEP days; waits up to WAIT_S s for them to be written, then sends SIGTERM. Prints the longest
batch and stall, the partitions and schema objects made, what was accepted (202) but neither stored nor counted,
the drain's log line, and what the next start reports. Posting stops after POST_S s (default WAIT_S); 503s are
retried. The drain budget is the environment's (Ingest__Pipeline__ShutdownDrainBudget=00:00:00.05 for a cut drain).
Usage (from the repository, after `dotnet build -c Release src/Ingest`):
  python3 loadtest/date-storm.py src/Ingest/bin/Release/net10.0/ingest.dll /tmp/storm.db 40000 1 150"""
import json, os, signal, socket, sqlite3, subprocess, sys, time, urllib.request

dll, db, tasks, step, wait_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
post_s = float(sys.argv[6]) if len(sys.argv) > 6 else wait_s  # how long posting may go on (503s are retried)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start():
    port = free_port()
    env = dict(os.environ, Ingest__Auth__Disabled="true", Ingest__Auth__HttpIngest="true")
    log = open(db + f".{port}.log", "w")
    t0 = time.monotonic()
    p = subprocess.Popen(["dotnet", dll, "serve", "--db", db, "--urls", f"http://127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read(); break
        except Exception:
            if p.poll() is not None: sys.exit("serve exited: " + open(log.name).read())
            time.sleep(0.05)
    return p, port, log.name, time.monotonic() - t0

def healthz(port):
    try:
        return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30).read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read())

p, port, log, startup = start()
base = 631195200  # 1990-01-01T12:00:00Z
t0 = time.monotonic()
refused = 0
accepted = 0
for chunk in range(0, tasks, 1000):
    evs = []
    for i in range(chunk, min(tasks, chunk + 1000)):
        ts = base + i * step * 86400
        evs.append({"type": "task-received", "uuid": f"storm-{i}", "name": "shop.tasks.work", "hostname": "w1@h", "timestamp": ts})
        evs.append({"type": "task-succeeded", "uuid": f"storm-{i}", "result": "None", "runtime": 0.1, "hostname": "w1@h", "timestamp": ts})
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/events", data=json.dumps(evs).encode(), headers={"Content-Type": "application/json"})
    while time.monotonic() - t0 < post_s:
        try:
            accepted += json.loads(urllib.request.urlopen(req, timeout=60).read()).get("accepted", 0) // 2; break
        except urllib.error.HTTPError as e:
            if e.code != 503: raise
            refused += 1
            if refused <= 1: print("503:", e.read()[:300])
            time.sleep(float(e.headers.get("Retry-After") or 1))
posted = time.monotonic() - t0
h = healthz(port)
while time.monotonic() - t0 < wait_s:
    h = healthz(port)
    inv = h["invocations"]
    if inv["received"] >= accepted and h["backlog"]["queued"] + h["backlog"]["in_progress"] == 0:
        break
    time.sleep(0.5)
inv, fl = h["invocations"], h["flush_loop"]
print(f"posted {tasks} tasks ({accepted} accepted, 202) in {posted:.1f} s ({refused} bodies refused 503 and retried); after {time.monotonic() - t0:.1f} s: received {inv['received']}, flushed {inv['flushed']}, "
      f"dropped {inv['dropped']}, queued {h['backlog']['queued']}+{h['backlog']['in_progress']}; max_batch {fl['max_batch_ms']/1000:.1f} s, max_stall {fl['max_stall_ms']/1000:.1f} s; status {h.get('status')}")
t1 = time.monotonic()
p.send_signal(signal.SIGTERM)
p.wait(timeout=120)
print(f"SIGTERM -> exit {p.returncode} in {time.monotonic() - t1:.1f} s; drain log: " + " | ".join(l.strip() for l in open(log) if "drain" in l.lower() or "records unwritten" in l))
con = sqlite3.connect(db)
days = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'invocations\\_%' ESCAPE '\\' AND name != 'invocations_legacy'")]
objects = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
stored = sum(con.execute(f'SELECT count(*) FROM "{d}"').fetchone()[0] for d in days)
con.close()
days.sort()
print(f"partitions {len(days)} ({days[0][12:] if days else '-'}..{days[-1][12:] if days else '-'}), schema objects {objects}, stored {stored} of {accepted} accepted: {accepted - stored} not stored")
p2, port2, log2, startup2 = start()
h2 = healthz(port2)
print(f"restart: ready in {startup2:.1f} s; dropped_at_last_shutdown = {h2['invocations'].get('dropped_at_last_shutdown', 'n/a')}")
p2.send_signal(signal.SIGTERM); p2.wait(timeout=120)

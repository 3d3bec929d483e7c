#!/usr/bin/env python3
"""Issue 29: which structure of a day's invocations table makes the fill slow down past ~2M rows, and what a
different layout of the task_id key would change. Fills one fresh file per layout with N rows shaped like a day's
(the invocations table with its state_at and (name, state_at) indexes, a details row of ~330 bytes per invocation;
no search index, no rollups: those are not keyed by task_id), uuid4 task ids in random order as Celery's arrive,
in 2,000-row batches of one transaction each, with the service's pragmas (WAL, synchronous=NORMAL, 32 MiB cache,
no mmap). Prints, per STEP rows, the wall rate and the bytes this process wrote to disk (/proc/self/io), and at the
end the pages of each index (dbstat).

Layouts:
  text      task_id TEXT UNIQUE, INSERT .. ON CONFLICT (task_id) DO NOTHING (the schema of today's days)
  none      no index on task_id at all: the floor, what the other structures cost
  segNN     UNIQUE (seg, task_id) with seg = id >> NN (seg20: a million rows per segment); before each insert the
            writer probes the day's older segments for the id (seg IN (..) AND task_id = ?), so uniqueness stays exact
  segNNnf   the same without the probe of older segments (what a perfect in-memory filter of them would give)
  hash      task_key INTEGER (the first 8 bytes of the uuid) indexed, probed before the insert
  page1024  text, in a file with 1 KiB pages (all of a file's days share its page size)
Usage: python3 loadtest/task-id-layout.py [N=3000000] [STEP=1000000] [LAYOUT...]"""
import os, random, sqlite3, sys, tempfile, time, uuid

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
step = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
layouts = sys.argv[3:] or ["text", "none", "seg20", "seg20nf", "hash", "page1024"]
batch = 2000
names = [f"app.tasks.task_{i:03d}" for i in range(40)]
random.seed(29)
details = [os.urandom(random.randint(200, 460)) for _ in range(256)]


def written():
    with open("/proc/self/io") as f:
        return int(dict(l.split(": ") for l in f.read().splitlines())["write_bytes"])


def create(c, layout):
    key = {"text": "task_id TEXT NOT NULL UNIQUE", "page1024": "task_id TEXT NOT NULL UNIQUE", "none": "task_id TEXT NOT NULL",
           "hash": "task_id TEXT NOT NULL, task_key INTEGER NOT NULL", }.get(layout, "task_id TEXT NOT NULL, seg INTEGER NOT NULL")
    c.executescript(f"""
        CREATE TABLE inv (id INTEGER PRIMARY KEY, {key}, name TEXT, state TEXT NOT NULL, worker TEXT, queue TEXT,
            sent_at REAL, received_at REAL, started_at REAL, finished_at REAL, state_at REAL NOT NULL, runtime_s REAL,
            retries INTEGER NOT NULL DEFAULT 0, exception_type TEXT, exception TEXT, parent_id TEXT, root_id TEXT);
        CREATE INDEX inv_state_at ON inv (state_at);
        CREATE INDEX inv_name_state_at ON inv (name, state_at);
        CREATE TABLE det (id INTEGER PRIMARY KEY, args BLOB);""")
    if layout.startswith("seg"):
        c.execute("CREATE UNIQUE INDEX inv_seg_task_id ON inv (seg, task_id)")
    if layout == "hash":
        c.execute("CREATE INDEX inv_task_key ON inv (task_key)")


def fill(layout):
    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("DIR", "/tmp")), f"{layout}.db")
    c = sqlite3.connect(path, isolation_level=None)
    if layout == "page1024":
        c.execute("PRAGMA page_size = 1024")
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = NORMAL")
    c.execute("PRAGMA cache_size = -32768")
    c.execute("PRAGMA mmap_size = 0")
    create(c, layout)
    seg = layout.startswith("seg")
    bits = int(layout[3:5]) if seg else 0
    cols = "task_id, name, state, worker, queue, sent_at, received_at, started_at, finished_at, state_at, runtime_s, root_id"
    if layout == "hash":
        insert = f"INSERT INTO inv (id, task_key, {cols}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    elif seg:
        insert = f"INSERT INTO inv (id, seg, {cols}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    elif layout == "none":
        insert = f"INSERT INTO inv (id, {cols}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    else:
        insert = f"INSERT INTO inv (id, {cols}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (task_id) DO NOTHING"
    t0 = 1_764_000_000.0
    print(f"\n#### {layout}\n\n| rows | rows/s | / first | MB written in the step | KB written per row |\n|---:|---:|---:|---:|---:|")
    first = None
    io, clock, dup_probes = written(), time.perf_counter(), 0
    for start in range(0, n, batch):
        c.execute("BEGIN")
        for i in range(start, start + batch):
            u = uuid.UUID(int=random.getrandbits(128), version=4)
            tid = str(u)
            at = t0 + i * 0.0008
            row = (tid, names[i % 40], "SUCCESS", f"celery@worker-{i % 16:02d}", "celery", at, at + 0.01, at + 0.02, at + 0.3, at + 0.3, 0.28, tid)
            rid = i + 1
            if seg:
                s = rid >> bits
                if not layout.endswith("nf") and s > 0:
                    if c.execute(f"SELECT id FROM inv WHERE seg IN ({','.join(map(str, range(s)))}) AND task_id = ?", (tid,)).fetchone():
                        dup_probes += 1
                c.execute(insert, (rid, s) + row)
            elif layout == "hash":
                k = int.from_bytes(u.bytes[:8], "big", signed=True)
                if c.execute("SELECT id FROM inv WHERE task_key = ? AND task_id = ?", (k, tid)).fetchone():
                    dup_probes += 1
                c.execute(insert, (rid, k) + row)
            else:
                c.execute(insert, (rid,) + row)
            c.execute("INSERT INTO det (id, args) VALUES (?, ?)", (rid, details[i & 255]))
        c.execute("COMMIT")
        done = start + batch
        if done % step == 0:
            now, t = written(), time.perf_counter()
            rate = step / (t - clock)
            first = first or rate
            print(f"| {done:,} | {rate:,.0f} | {rate / first:.2f} | {(now - io) / 1e6:,.0f} | {(now - io) / step / 1e3:.1f} |", flush=True)
            io, clock = now, t
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = c.execute("SELECT name, SUM(pgsize) / 1048576.0 FROM dbstat WHERE name LIKE '%inv%' GROUP BY name ORDER BY 2 DESC").fetchall()
    print("\n" + ", ".join(f"{name} {mib:,.0f} MiB" for name, mib in pages) + f"; file {os.path.getsize(path) / 1e9:.2f} GB")
    c.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


print(f"# task_id layouts, {n:,} rows, {batch:,}-row batches; load before: {os.getloadavg()}")
for layout in layouts:
    fill(layout)
print(f"\nload after: {os.getloadavg()}")

#!/usr/bin/env python3
"""Issue 29, a candidate measured, not adopted: what a day's row table and its task_id index cost per invocation
with Celery's uuid-shaped task ids kept as 36-character text (today) or as 16-byte BLOBs. Writes N rows shaped like
the spike capture's (same columns and typical values as a day's invocations table; ids from uuid4, arriving in
random key order as Celery's do) into two fresh files and sums SQLite's dbstat pages for the table and its
UNIQUE index. Usage: python3 loadtest/task-id-key.py [N]   (needs python3's sqlite3 with dbstat, as Debian's has)"""
import os, random, sqlite3, sys, tempfile, uuid

n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
random.seed(29)
ids = [uuid.UUID(int=random.getrandbits(128), version=4) for _ in range(n)]
names = ["shop.process_order", "shop.send_email", "billing.charge", "reports.rollup", "search.reindex"]


def measure(kind):
    path = os.path.join(tempfile.mkdtemp(), f"{kind}.db")
    c = sqlite3.connect(path)
    c.execute(f"""CREATE TABLE inv (id INTEGER PRIMARY KEY, task_id {kind} NOT NULL UNIQUE, name TEXT, state TEXT NOT NULL,
        worker TEXT, queue TEXT, sent_at REAL, received_at REAL, started_at REAL, finished_at REAL, state_at REAL NOT NULL,
        runtime_s REAL, retries INTEGER NOT NULL DEFAULT 0, exception_type TEXT, exception TEXT, parent_id TEXT, root_id TEXT,
        eta TEXT, expires TEXT, terminated INTEGER, expired INTEGER, signum INTEGER, details_sampled INTEGER)""")
    t = 1_764_000_000.0
    rows = []
    for i, u in enumerate(ids):
        key = str(u) if kind == "TEXT" else u.bytes
        at = t + i * 0.003
        rows.append((key, names[i % 5], "SUCCESS", f"celery@worker-{i % 16:02d}", "celery", at, at + 0.01, at + 0.02,
                     at + 0.05 + random.random(), at + 0.05, random.random(), 0, ""))
    c.executemany("""INSERT INTO inv (task_id, name, state, worker, queue, sent_at, received_at, started_at, finished_at,
        state_at, runtime_s, retries, root_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
    c.commit()
    sizes = dict(c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
    return sizes["inv"], sizes["sqlite_autoindex_inv_1"]


print(f"{n:,} rows, uuid4 task ids in random order\n")
print("| task_id kept as | row table, B/inv | task_id index, B/inv | both |\n|---|---:|---:|---:|")
for kind, label in (("TEXT", "36-character text (today)"), ("BLOB", "16-byte BLOB")):
    table, index = measure(kind)
    print(f"| {label} | {table / n:.1f} | {index / n:.1f} | {(table + index) / n:.1f} |")

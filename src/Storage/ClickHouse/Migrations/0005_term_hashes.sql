-- Issue 26, version 5: the search terms at a fraction of version 3's bytes. A terms row carried a 36-character random
-- task id that LZ4 cannot shrink: 1,093 of the 1,281 bytes a real-shaped invocation took (loadtest/results/
-- clickhouse-scale.md). Here a terms row carries the id's 64-bit hash, and one row per task and write turns hashes
-- back into ids, as task_days turns ids into days. Same tokens as 0001. The version 3 table stays: the reader still
-- searches the rows written before this version, and retention drops its days as before.

-- What the writer inserts: (day, term, task_id) rows as version 3 took them. A Null table keeps nothing; the two
-- views below split every insert into the two tables. cityHash64 is computed here, by the server, so no client
-- needs a copy of ClickHouse's hash that must agree with it bit for bit.
CREATE TABLE IF NOT EXISTS {db}.term_inputs{local} {on_cluster}
(
    day Date,
    term String,
    task_id String
)
ENGINE = Null;

-- Sharded as invocations are: a task's terms reach the node that holds its rows, and the views there file them.
{distributed:term_inputs:cityHash64(task_id)};

-- One row per distinct token of a record and the hash of its task id, under the record's day. Ordered by term, so a
-- search reads a few granules per term and day. Replacing: a task written again that day with the same text is one
-- row after merges. Two tasks whose ids share a hash share rows: the reader checks every candidate's text anyway.
CREATE TABLE IF NOT EXISTS {db}.term_hashes{local} {on_cluster}
(
    day Date,
    term String,
    h UInt64
)
ENGINE = {engine:ReplacingMergeTree():term_hashes}
PARTITION BY toYYYYMMDD(day)
ORDER BY (term, h);

-- h is cityHash64(task_id), the invocations' sharding key: a hash's rows sit on the shard of its task's rows.
{distributed:term_hashes:h};

-- The ids behind the hashes: one row per task with text in each write (DISTINCT below), one after merges.
CREATE TABLE IF NOT EXISTS {db}.task_hashes{local} {on_cluster}
(
    day Date,
    h UInt64,
    task_id String
)
ENGINE = {engine:ReplacingMergeTree():task_hashes}
PARTITION BY toYYYYMMDD(day)
ORDER BY (h, task_id);

{distributed:task_hashes:h};

-- On each node, from its own Null table into its own tables: a row never crosses shards here.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.term_hashes_mv{local} {on_cluster} TO {db}.term_hashes{local} AS
SELECT day, term, cityHash64(task_id) AS h
FROM {db}.term_inputs{local};

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.task_hashes_mv{local} {on_cluster} TO {db}.task_hashes{local} AS
SELECT DISTINCT day, cityHash64(task_id) AS h, task_id
FROM {db}.term_inputs{local};

-- Issue 26, version 1: invocations, their details, the task id → day lookup, queue samples, the in-flight
-- checkpoint and a small meta table. Tokens: {db}; {local} (_local under a cluster, where the table of that name
-- is the Distributed one); {on_cluster}; {engine:Kind(args):table} (Replicated under a cluster);
-- {distributed:table:sharding key} (a statement of its own, nothing without a cluster). Statements end with ';'
-- at the end of a line. Only SQL that 18.16 takes: no TTL (retention drops partitions), no skip indexes.

-- One row per record an instance wrote: the events one instance saw of a task, as it merged them. Several rows of
-- one task id (other instances, or a later state in a later batch) are merged at read, never here: no instance
-- ever reads before it writes. Ordered by task id inside each day, so a lookup reads one granule per day.
CREATE TABLE IF NOT EXISTS {db}.invocations{local} {on_cluster}
(
    day Date,
    task_id String,
    state String,
    state_at Float64,
    state_rank UInt8,
    name Nullable(String),
    worker Nullable(String),
    queue Nullable(String),
    sent_at Nullable(Float64),
    received_at Nullable(Float64),
    started_at Nullable(Float64),
    finished_at Nullable(Float64),
    runtime_s Nullable(Float64),
    retries UInt32,
    exception_type Nullable(String),
    exception Nullable(String),
    parent_id Nullable(String),
    root_id Nullable(String),
    eta Nullable(String),
    expires Nullable(String),
    terminated Nullable(UInt8),
    expired Nullable(UInt8),
    signum Nullable(Int32)
)
ENGINE = {engine:MergeTree():invocations}
PARTITION BY toYYYYMMDD(day)
ORDER BY (task_id, state_at);

-- All rows of a task id on one shard, so the merge at read never crosses shards.
{distributed:invocations:cityHash64(task_id)};

-- The large texts, apart, so detail retention drops them days before the rows.
CREATE TABLE IF NOT EXISTS {db}.details{local} {on_cluster}
(
    day Date,
    task_id String,
    state_at Float64,
    state_rank UInt8,
    args Nullable(String),
    kwargs Nullable(String),
    result Nullable(String),
    traceback Nullable(String)
)
ENGINE = {engine:MergeTree():details}
PARTITION BY toYYYYMMDD(day)
ORDER BY (task_id, state_at);

{distributed:details:cityHash64(task_id)};

-- Which days hold a task id: narrow, ordered by task id, so a lookup by id reads a few index marks and then only
-- the days it names (Jaeger's trace_id_timestamps). Replacing: a task written again that day is one row after merges.
CREATE TABLE IF NOT EXISTS {db}.task_days{local} {on_cluster}
(
    task_id String,
    day Date
)
ENGINE = {engine:ReplacingMergeTree():task_days}
PARTITION BY toYYYYMMDD(day)
ORDER BY (task_id, day);

{distributed:task_days:cityHash64(task_id)};

-- Broker queue lengths, per instance that sampled them.
CREATE TABLE IF NOT EXISTS {db}.queue_samples{local} {on_cluster}
(
    day Date,
    queue String,
    at Int64,
    length Int64,
    consumers Nullable(Int32),
    instance String
)
ENGINE = {engine:MergeTree():queue_samples}
PARTITION BY toYYYYMMDD(day)
ORDER BY (queue, at);

{distributed:queue_samples:cityHash64(queue)};

-- Each instance's in-flight checkpoint: the last row of (instance, task id) by version wins, deleted = 1 removes it.
-- Partitioned by day so a task forgotten in flight leaves with retention like everything else.
CREATE TABLE IF NOT EXISTS {db}.inflight{local} {on_cluster}
(
    day Date,
    instance String,
    task_id String,
    state String,
    updated_at Float64,
    deleted UInt8,
    version UInt64
)
ENGINE = {engine:ReplacingMergeTree(version):inflight}
PARTITION BY toYYYYMMDD(day)
ORDER BY (instance, task_id);

{distributed:inflight:cityHash64(instance)};

-- Small facts per instance (shutdown drops, write probes); the newest value of a key wins.
CREATE TABLE IF NOT EXISTS {db}.meta{local} {on_cluster}
(
    instance String,
    key String,
    value String,
    version UInt64
)
ENGINE = {engine:ReplacingMergeTree(version):meta}
ORDER BY (instance, key);

{distributed:meta:cityHash64(instance)};

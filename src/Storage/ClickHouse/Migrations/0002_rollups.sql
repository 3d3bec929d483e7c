-- Issue 26, version 2: the rollups the console's figures come from, as deltas each instance adds for what it wrote.
-- Several instances add deltas to one key at once, and a key's rows are summed whenever parts merge, so every read
-- adds rows up again (sum, sumMap, -Merge, GROUP BY): an unmerged part never doubles or splits a figure. Tested on
-- 18.16, which has no SimpleAggregateFunction and no input(): counts and histograms are plain columns of a
-- SummingMergeTree (a histogram is a Nested "*Map" of bucket -> count, summed by bucket; a bucket or row whose
-- counts add up to zero goes away in the merge), and the failures' first/last seen and example, which are min/max/
-- argMax rather than sums, are states of an AggregatingMergeTree fed by a materialized view from a Null table
-- that the writer inserts plain JSON rows into. The per-task hourly figures are these rows summed over queue and
-- worker group (SQLite keeps a table of them too, for days written before facets existed; ClickHouse has no such days).

-- One task's runs in one hour, queue and worker group: counts by state, the runtime and the two waits, each with
-- its count, sum and histogram (RuntimeHistogram's buckets). Ordered by hour first: every read names an hour range.
CREATE TABLE IF NOT EXISTS {db}.group_hours{local} {on_cluster}
(
    day Date,
    name String,
    queue String,
    worker_group String,
    hour Int64,
    total Int64,
    pending Int64,
    received Int64,
    started Int64,
    success Int64,
    failure Int64,
    retry Int64,
    revoked Int64,
    rejected Int64,
    runtime_count Int64,
    runtime_sum Float64,
    queue_wait_count Int64,
    queue_wait_sum Float64,
    pickup_count Int64,
    pickup_sum Float64,
    runtimesMap Nested(bucket UInt16, count Int64),
    queueWaitsMap Nested(bucket UInt16, count Int64),
    pickupsMap Nested(bucket UInt16, count Int64)
)
ENGINE = {engine:SummingMergeTree():group_hours}
PARTITION BY toYYYYMMDD(day)
ORDER BY (hour, name, queue, worker_group);

{distributed:group_hours:cityHash64(name)};

-- The same by minute, for the last 48 hours only (retention drops its days after two). Its "hour" column holds the
-- minute's start: the facet rows' shape, as SQLite's minute rollup is read.
CREATE TABLE IF NOT EXISTS {db}.task_minutes{local} {on_cluster} AS {db}.group_hours{local}
ENGINE = {engine:SummingMergeTree():task_minutes}
PARTITION BY toYYYYMMDD(day)
ORDER BY (hour, name, queue, worker_group);

{distributed:task_minutes:cityHash64(name)};

-- Failure deltas as the writer sends them: a Null table keeps nothing, the view below aggregates every insert.
-- seen = 1 where the delta adds a failure (its first/last seen and example count), 0 for a take-back only.
CREATE TABLE IF NOT EXISTS {db}.failure_deltas{local} {on_cluster}
(
    day Date,
    name String,
    exception_type String,
    queue String,
    worker_group String,
    hour Int64,
    count Int64,
    seen UInt8,
    first_seen Float64,
    last_seen Float64,
    example_task_id String
)
ENGINE = Null;

{distributed:failure_deltas:cityHash64(name)};

-- Failures by task, exception type, queue, worker group and hour; the per-task groups are these summed over queue
-- and worker group. The example is the newest failure's task id (argMax by last seen).
CREATE TABLE IF NOT EXISTS {db}.failure_groups{local} {on_cluster}
(
    day Date,
    name String,
    exception_type String,
    queue String,
    worker_group String,
    hour Int64,
    n AggregateFunction(sum, Int64),
    first AggregateFunction(minIf, Float64, UInt8),
    last AggregateFunction(maxIf, Float64, UInt8),
    example AggregateFunction(argMaxIf, String, Float64, UInt8)
)
ENGINE = {engine:AggregatingMergeTree():failure_groups}
PARTITION BY toYYYYMMDD(day)
ORDER BY (hour, name, exception_type, queue, worker_group);

-- On each node, from its own Null table into its own table: a row never crosses shards here.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.failure_groups_mv{local} {on_cluster} TO {db}.failure_groups{local} AS
SELECT day, name, exception_type, queue, worker_group, hour,
    sumState(count) AS n, minIfState(first_seen, seen) AS first, maxIfState(last_seen, seen) AS last,
    argMaxIfState(example_task_id, last_seen, seen) AS example
FROM {db}.failure_deltas{local}
GROUP BY day, name, exception_type, queue, worker_group, hour;

{distributed:failure_groups:cityHash64(name)};

-- Issue 26, version 3: the inverted table value search reads (version 2 is the rollups'). Same tokens as 0001.

-- One row per distinct token of a record's args, kwargs and searchable result (ClickHouseTermRows), filed under the
-- record's day. Ordered by term, so the rows of one term are a few granules per day: a search reads the index marks
-- of its terms and those granules, never the details. Replacing: a task written again that day with the same text
-- is one row after merges. Dropped by day with the details (detail retention), since it is their index.
CREATE TABLE IF NOT EXISTS {db}.terms{local} {on_cluster}
(
    day Date,
    term String,
    task_id String
)
ENGINE = {engine:ReplacingMergeTree():terms}
PARTITION BY toYYYYMMDD(day)
ORDER BY (term, task_id);

-- Sharded as invocations and details are: a task id's terms sit on the shard that holds its rows, so the reader's
-- per-shard subquery over the local table finds every candidate that shard can merge.
{distributed:terms:cityHash64(task_id)};

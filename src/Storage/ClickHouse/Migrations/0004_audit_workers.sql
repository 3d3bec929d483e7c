-- Issue 26, version 4: what several instances sharing the store must see alike. Tokens as in 0001.

-- The distinct times of a task's task-retried events, one row each, from whichever instance saw them: a task whose
-- retries reached different instances has its count summed across them at read (the largest per-row count would
-- miss those another instance saw), and a retry written twice (a batch retried, a redelivery) still counts once.
CREATE TABLE IF NOT EXISTS {db}.retries{local} {on_cluster}
(
    day Date,
    task_id String,
    retried_at Float64
)
ENGINE = {engine:MergeTree():retries}
PARTITION BY toYYYYMMDD(day)
ORDER BY (task_id, retried_at);

{distributed:retries:cityHash64(task_id)};

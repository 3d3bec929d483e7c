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

-- The data-protection keys that sign session cookies, shared so that a session signed in on one instance is valid
-- on every other (ASP.NET Core's key ring, one XML element a key or revocation). Small and never dropped by
-- retention: a key lives 90 days and its element stays so that old cookies are refused as expired, not unknown.
CREATE TABLE IF NOT EXISTS {db}.keys{local} {on_cluster}
(
    name String,
    xml String,
    stored_at DateTime
)
ENGINE = {engine:MergeTree():keys}
ORDER BY name;

{distributed:keys:cityHash64(name)};

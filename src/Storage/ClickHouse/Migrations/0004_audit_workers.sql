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

-- The control audit of every instance (issue 27's entries), so /api/audit on any instance lists every instance's
-- actions. The id is a hash of the entry and the instance that wrote it: an insert retried after a failure writes
-- the same id again, and reads keep one row per id.
CREATE TABLE IF NOT EXISTS {db}.audit{local} {on_cluster}
(
    day Date,
    at Float64,
    id Int64,
    instance String,
    user Nullable(String),
    action String,
    target Nullable(String),
    arguments String,
    outcome String,
    status Int32,
    reason Nullable(String),
    replies Nullable(String),
    missing Nullable(String)
)
ENGINE = {engine:MergeTree():audit}
PARTITION BY toYYYYMMDD(day)
ORDER BY (at, id);

{distributed:audit:cityHash64(id)};

-- Worker states (issue 25) as each instance last saw them: the newest sighting of a hostname wins at read, so every
-- instance restores and shows the fleet all of them saw. The state is the row as JSON; one row a hostname after merges.
CREATE TABLE IF NOT EXISTS {db}.workers{local} {on_cluster}
(
    hostname String,
    last_seen_at Float64,
    state String,
    instance String,
    version UInt64
)
ENGINE = {engine:ReplacingMergeTree(version):workers}
ORDER BY hostname;

{distributed:workers:cityHash64(hostname)};

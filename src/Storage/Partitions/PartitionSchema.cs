namespace Ingest.Storage.Partitions;

/// <summary>The DDL of one day. Indexes are created with their (empty) table, never on a table that already holds rows.</summary>
internal static class PartitionSchema
{
    /// <summary>Columns of the invocations table in insert order (the <c>id</c> rowid is implicit).</summary>
    public static readonly string[] InvocationColumns =
    [
        "task_id", "name", "state", "worker", "queue", "sent_at", "received_at", "started_at", "finished_at",
        "state_at", "runtime_s", "retries", "exception_type", "exception", "parent_id", "root_id", "eta", "expires",
        "terminated", "expired", "signum", SampledColumn,
    ];

    /// <summary>
    /// 1 when the row's details were left out by the detail sample, NULL otherwise. Last, so that a day made
    /// before it gets it by <see cref="AddSampledColumnSql"/> (metadata only), and a 1 costs the record's header
    /// byte and no payload (SQLite stores the integers 0 and 1 in the header).
    /// </summary>
    public const string SampledColumn = "details_sampled";

    public static readonly string[] DetailColumns = ["args", "kwargs", "result", "traceback"];

    /// <summary>The rollups' count column of each state, in <see cref="TaskStates.All"/> order (pending, received, ...).</summary>
    public static readonly string[] StateCountColumns = [.. TaskStates.All.Select(s => s.ToLowerInvariant())];

    /// <summary>The day's tables; with <paramref name="search"/>, its full-text index.</summary>
    /// <summary>The counts both hourly rollups keep: total, one per state, and the runtime histogram with its count and sum.</summary>
    private static readonly string CountColumnsSql = string.Join("\n            ",
        ["total INTEGER NOT NULL DEFAULT 0,", .. StateCountColumns.Select(c => c + " INTEGER NOT NULL DEFAULT 0,"),
         "runtime_count INTEGER NOT NULL DEFAULT 0,", "runtime_sum REAL NOT NULL DEFAULT 0,", "runtimes BLOB,"]);

    public static string CreateSql(DayPartition p, bool search = true) => TablesSql(p) + RollupSql(p) + GroupRollupSql(p) + (search ? SearchSql(p) : "");

    /// <summary>
    /// The facet rollups: per task, queue, worker group and hour, and of failures also per exception type. Created with the day's tables, and for a day
    /// made by an older version on its first write (an empty table: instant).
    /// </summary>
    public static string GroupRollupSql(DayPartition p) => $"""
        {FacetTableSql(p.GroupHoursSql, "hour")}
        CREATE TABLE IF NOT EXISTS {p.FailureGroupsSql} (
            name TEXT NOT NULL,
            exception_type TEXT NOT NULL,
            queue TEXT NOT NULL,
            worker_group TEXT NOT NULL,
            hour INTEGER NOT NULL,
            count INTEGER NOT NULL,
            first_seen REAL,
            last_seen REAL,
            example_task_id TEXT,
            PRIMARY KEY (name, exception_type, queue, worker_group, hour)
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// The facet rollup's columns keyed by <paramref name="key"/> (hour, or minute for the minute rollup): counts
    /// by state, and histograms of runtime, queue wait and pickup wait.
    /// </summary>
    private static string FacetTableSql(string table, string key) => $"""

        CREATE TABLE IF NOT EXISTS {table} (
            name TEXT NOT NULL,
            queue TEXT NOT NULL,
            worker_group TEXT NOT NULL,
            {key} INTEGER NOT NULL,
            {CountColumnsSql}
            queue_wait_count INTEGER NOT NULL DEFAULT 0,
            queue_wait_sum REAL NOT NULL DEFAULT 0,
            queue_waits BLOB,
            pickup_count INTEGER NOT NULL DEFAULT 0,
            pickup_sum REAL NOT NULL DEFAULT 0,
            pickups BLOB,
            PRIMARY KEY (name, queue, worker_group, {key})
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// The minute rollup (issue 25): the facet rollup's figures per minute, written beside the hourly rows for
    /// records of the last 48 hours and dropped whole (DROP TABLE) once its day is older than that. A range of a
    /// few hours, or the part of an hour a range boundary cuts, is read from it.
    /// </summary>
    public static string MinuteRollupSql(DayPartition p) => FacetTableSql(p.TaskMinutesSql, "minute");

    /// <summary>Drops a day's minute rollup whole; its hourly rollups and rows stay.</summary>
    public static string DropMinutesSql(DayPartition p) => $"DROP TABLE IF EXISTS {p.TaskMinutesSql};";

    /// <summary>
    /// Queue lengths sampled from the broker (issue 16), keyed by sample time (Unix seconds) and queue: a range is
    /// a key range (a 6 h read at the caps, 100 queues every 15 s, took 0.10 s against 0.35 s keyed by queue
    /// first) and samples append at the end. Created on the day's first sample; dropped with the day.
    /// </summary>
    public static string QueueLengthsSql(DayPartition p) => $"""

        CREATE TABLE IF NOT EXISTS {p.QueueLengthsSql} (
            queue TEXT NOT NULL,
            at INTEGER NOT NULL,
            length INTEGER NOT NULL,
            consumers INTEGER,
            PRIMARY KEY (at, queue)
        ) WITHOUT ROWID;
        """;

    private static string TablesSql(DayPartition p) => $"""
        CREATE TABLE IF NOT EXISTS {p.InvocationsSql} (
            id INTEGER PRIMARY KEY,
            task_id TEXT NOT NULL UNIQUE,
            name TEXT,
            state TEXT NOT NULL,
            worker TEXT,
            queue TEXT,
            sent_at REAL,
            received_at REAL,
            started_at REAL,
            finished_at REAL,
            state_at REAL NOT NULL,
            runtime_s REAL,
            retries INTEGER NOT NULL DEFAULT 0,
            exception_type TEXT,
            exception TEXT,
            parent_id TEXT,
            root_id TEXT,
            eta TEXT,
            expires TEXT,
            terminated INTEGER,
            expired INTEGER,
            signum INTEGER,
            details_sampled INTEGER
        );
        CREATE INDEX IF NOT EXISTS {DayPartition.Delimit(p.InvocationsTable + "_state_at")} ON {p.InvocationsSql} (state_at);
        CREATE INDEX IF NOT EXISTS {DayPartition.Delimit(p.InvocationsTable + "_name_state_at")} ON {p.InvocationsSql} (name, state_at);
        {DetailsSql(p)}{Details.DictionaryTable.CreateSql(p)}
        """;

    private static string DetailsSql(DayPartition p) => $"""
        CREATE TABLE IF NOT EXISTS {p.DetailsSql} (
            id INTEGER PRIMARY KEY,
            args TEXT,
            kwargs TEXT,
            result TEXT,
            traceback TEXT
        );
        """;

    /// <summary>
    /// Drops a day's details and their search index whole and leaves an empty details table in their place, so
    /// every reader's join stays as it is and reads NULL details (issue 17's detail retention). The details'
    /// dictionaries go with them: the day is not written with details again.
    /// </summary>
    public static string DropDetailsSql(DayPartition p) => $"""
        DROP TABLE IF EXISTS {p.SearchSql};
        DROP TABLE IF EXISTS {p.DetailsSql};
        {Details.DictionaryTable.DropSql(p)}
        {DetailsSql(p)}
        """;

    /// <summary>
    /// Rollups written by the flush loop in the same transaction as the rows they count; a few rows per task
    /// name and hour, dropped with their day.
    /// </summary>
    private static string RollupSql(DayPartition p) => $"""

        CREATE TABLE IF NOT EXISTS {p.TaskHoursSql} (
            name TEXT NOT NULL,
            hour INTEGER NOT NULL,
            {CountColumnsSql}
            PRIMARY KEY (name, hour)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS {p.FailureHoursSql} (
            name TEXT NOT NULL,
            exception_type TEXT NOT NULL,
            hour INTEGER NOT NULL,
            count INTEGER NOT NULL,
            first_seen REAL,
            last_seen REAL,
            example_task_id TEXT,
            PRIMARY KEY (name, exception_type, hour)
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// A contentless FTS5 table (it keeps the index, not a second copy of the text) keyed by the invocation's
    /// rowid. The writer fills it at the end of each batch (<see cref="Writing.SearchBatch"/>), not by trigger:
    /// a trigger made FTS5 write a segment per row. <c>contentless_delete</c> lets a merged row replace its terms.
    /// <see cref="PositionlessDetail"/>: the index keeps which rows hold a token, not where (issue 29: 55 bytes per
    /// invocation against 204 with positions on the spike capture); the reader checks phrases against the stored
    /// text (<see cref="Reading.PositionlessQuery"/>). A day made earlier keeps its positional index.
    /// </summary>
    private static string SearchSql(DayPartition p) => $"""

        CREATE VIRTUAL TABLE IF NOT EXISTS {p.SearchSql} USING fts5 (
            args, kwargs, result, content = '', contentless_delete = 1, {PositionlessDetail}
        );
        INSERT INTO {p.SearchSql} ({p.SearchSql}, rank) VALUES ('automerge', {SearchAutomerge});
        INSERT INTO {p.SearchSql} ({p.SearchSql}, rank) VALUES ('crisismerge', {SearchCrisisMerge});
        """;

    /// <summary>The FTS5 option of a day index without token positions, as its CREATE text in sqlite_master holds it.</summary>
    public const string PositionlessDetail = "detail = none";

    /// <summary>
    /// FTS5's merge fan-in for a day's index (its default is 4): segments merge up 16 at a time, so each entry is
    /// rewritten about half as often on its way up a 50M-row day (log16 against log4 of the segment count), at the
    /// price of more segments for a query to look in. Stored in the index's own config; set again, harmlessly,
    /// whenever the day's DDL runs.
    /// </summary>
    public const int SearchAutomerge = 16;

    /// <summary>
    /// How many segments a level of a day's index may hold before FTS5 merges the whole level inside the current
    /// transaction (its default is 16). At the default, equal to <see cref="SearchAutomerge"/>, every merge was that
    /// crisis merge, cascading up the levels: filling a day in a 1 GiB memory cgroup, one 2,000-row batch near 8.2M
    /// rows merged a 16 x 512k-row level and took 12.7 s, reading 2 GB back from disk (issue 29,
    /// loadtest/Benchmarks/results/fillcurve-10m-cgroup.md). Above the fan-in, automerge spreads the same merge
    /// over the batches that follow, each doing work in proportion to what it writes; this stays as the backstop.
    /// </summary>
    public const int SearchCrisisMerge = 64;

    /// <summary>
    /// Drops the indexing triggers that files written by earlier versions have on a day's details table (the
    /// writer now indexes itself, and a trigger left in place would index every row twice). Metadata only.
    /// </summary>
    public static string DropSearchTriggersSql(DayPartition p) => $"""
        DROP TRIGGER IF EXISTS {DayPartition.Delimit(p.DetailsTable + "_search_insert")};
        DROP TRIGGER IF EXISTS {DayPartition.Delimit(p.DetailsTable + "_search_update")};
        """;

    /// <summary>Gives a day made before the detail sample its flag column: metadata only, the rows are not rewritten.</summary>
    public static string AddSampledColumnSql(DayPartition p) => $"ALTER TABLE {p.InvocationsSql} ADD COLUMN {SampledColumn} INTEGER;";

    /// <summary>Every table of the day (a trigger goes with its table; FTS5's shadow tables go with the index).</summary>
    public static string DropSql(DayPartition p) => $"""
        DROP TABLE IF EXISTS {p.SearchSql};
        DROP TABLE IF EXISTS {p.DetailsSql};
        {Details.DictionaryTable.DropSql(p)}
        DROP TABLE IF EXISTS {p.InvocationsSql};
        DROP TABLE IF EXISTS {p.TaskHoursSql};
        DROP TABLE IF EXISTS {p.FailureHoursSql};
        DROP TABLE IF EXISTS {p.GroupHoursSql};
        DROP TABLE IF EXISTS {p.QueueLengthsSql};
        DROP TABLE IF EXISTS {p.FailureGroupsSql};
        DROP TABLE IF EXISTS {p.TaskMinutesSql};
        DROP TABLE IF EXISTS {p.AuditSql};
        DROP TABLE IF EXISTS {p.WorkersSql};
        """;
}

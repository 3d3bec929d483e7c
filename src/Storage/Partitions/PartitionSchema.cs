namespace Ingest.Storage.Partitions;

/// <summary>The DDL of one day. Indexes are created with their (empty) table, never on a table that already holds rows.</summary>
internal static class PartitionSchema
{
    /// <summary>Columns of the invocations table in insert order (the <c>id</c> rowid is implicit).</summary>
    public static readonly string[] InvocationColumns =
    [
        "task_id", "name", "state", "worker", "queue", "sent_at", "received_at", "started_at", "finished_at",
        "state_at", "runtime_s", "retries", "exception_type", "exception", "parent_id", "root_id", "eta", "expires",
        "terminated", "expired", "signum",
    ];

    public static readonly string[] DetailColumns = ["args", "kwargs", "result", "traceback"];

    public static string CreateSql(DayPartition p) => $"""
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
            signum INTEGER
        );
        CREATE INDEX IF NOT EXISTS {DayPartition.Delimit(p.InvocationsTable + "_state_at")} ON {p.InvocationsSql} (state_at);
        CREATE INDEX IF NOT EXISTS {DayPartition.Delimit(p.InvocationsTable + "_name_state_at")} ON {p.InvocationsSql} (name, state_at);
        CREATE TABLE IF NOT EXISTS {p.DetailsSql} (
            id INTEGER PRIMARY KEY,
            args TEXT,
            kwargs TEXT,
            result TEXT,
            traceback TEXT
        );
        """;

    public static string DropSql(DayPartition p) => $"""
        DROP TABLE IF EXISTS {p.DetailsSql};
        DROP TABLE IF EXISTS {p.InvocationsSql};
        """;
}

using Ingest.Storage.Partitions;

namespace Ingest.Storage.Audit;

/// <summary>The DDL of a day's audit table, made with the day's first entry and dropped with the day (<see cref="PartitionSchema.DropSql"/>).</summary>
internal static class AuditSchema
{
    /// <summary>Columns in insert order (the <c>id</c> rowid is implicit).</summary>
    public static readonly string[] Columns = ["at", "user", "action", "target", "arguments", "outcome", "status", "reason", "replies", "missing"];

    public static string CreateSql(DayPartition p) => $"""
        CREATE TABLE IF NOT EXISTS {p.AuditSql} (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            user TEXT,
            action TEXT NOT NULL,
            target TEXT,
            arguments TEXT NOT NULL,
            outcome TEXT NOT NULL,
            status INTEGER NOT NULL,
            reason TEXT,
            replies TEXT,
            missing TEXT
        );
        """;
}

using Ingest.Storage.Partitions;

namespace Ingest.Storage.Workers;

/// <summary>
/// The DDL of a day's worker table (issue 25), made with the day's first worker state and dropped with the day
/// (<see cref="PartitionSchema.DropSql"/>): retention never deletes a row of it.
/// </summary>
internal static class WorkerStateSchema
{
    /// <summary>Columns in insert order; <c>hostname</c> is the key.</summary>
    public static readonly string[] Columns =
        ["hostname", "offline", "last_heartbeat_at", "last_seen_at", "freq", "active", "processed", "loadavg", "sw_ident", "sw_ver", "sw_sys", "pid", "queues"];

    public static string CreateSql(DayPartition p) => $"""
        CREATE TABLE IF NOT EXISTS {p.WorkersSql} (
            hostname TEXT PRIMARY KEY,
            offline INTEGER NOT NULL,
            last_heartbeat_at REAL,
            last_seen_at REAL NOT NULL,
            freq REAL,
            active INTEGER,
            processed INTEGER,
            loadavg TEXT,
            sw_ident TEXT,
            sw_ver TEXT,
            sw_sys TEXT,
            pid INTEGER,
            queues TEXT NOT NULL
        );
        """;

    /// <summary>Insert, or replace every column but the key when the worker already has a row that day.</summary>
    public static string UpsertSql(DayPartition p) =>
        $"INSERT INTO {p.WorkersSql} ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select(c => "$" + c))}) "
        + $"ON CONFLICT(hostname) DO UPDATE SET {string.Join(", ", Columns.Skip(1).Select(c => $"{c} = excluded.{c}"))}";
}

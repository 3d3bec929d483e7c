using Ingest.Storage.Migration;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// What <c>ingest db info</c> reports. Read on a read-only connection, so it can run beside a live Ingest.
/// Row counts are estimates from <c>MAX(rowid)</c> (one probe: rows are never deleted from a partition; in
/// legacy, Phlower's INSERT OR REPLACE makes it a slight overestimate). Per-table byte sizes would need the
/// dbstat table, which this SQLite build does not have, and a walk of every page; the file-level sizes are exact.
/// </summary>
public sealed record DatabaseInfo
{
    public required string Path { get; init; }
    public long FileBytes { get; init; }
    public long WalBytes { get; init; }
    public long PageSize { get; init; }
    public long PageCount { get; init; }
    public long FreelistPages { get; init; }
    public required string AutoVacuum { get; init; }
    public required string JournalMode { get; init; }
    public bool LegacyPresent { get; init; }

    /// <summary>Tables from before partitioning that Ingest has not renamed yet (it does so on its next start).</summary>
    public bool UnmigratedLegacy { get; init; }

    public string? LegacyMigratedAt { get; init; }
    public IReadOnlyList<TableInfo> Partitions { get; init; } = [];

    /// <summary>The minute rollup tables (<c>task_minutes_YYYYMMDD</c>, the last 48 hours), newest first, with their exact row counts (a few per task, queue and minute).</summary>
    public IReadOnlyList<TableInfo> MinuteTables { get; init; } = [];
    public TableInfo? Legacy { get; init; }

    public static DatabaseInfo Read(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"no database at {full}", full);
        }

        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        var days = PartitionCatalog.ListDays(c);
        var partitions = days.Reverse().Select(d => new TableInfo(d.Suffix, MaxRowId(c, d.InvocationsTable))).ToList();
        var legacyPresent = PartitionCatalog.HasLegacy(c);
        TableInfo? legacy = null;
        if (legacyPresent)
        {
            legacy = new TableInfo(PartitionCatalog.LegacyInvocations, MaxRowId(c, PartitionCatalog.LegacyInvocations));
        }

        return new DatabaseInfo
        {
            Path = full,
            FileBytes = new FileInfo(full).Length,
            WalBytes = File.Exists(full + "-wal") ? new FileInfo(full + "-wal").Length : 0,
            PageSize = SqliteConnections.Scalar<long>(c, "PRAGMA page_size"),
            PageCount = SqliteConnections.Scalar<long>(c, "PRAGMA page_count"),
            FreelistPages = SqliteConnections.Scalar<long>(c, "PRAGMA freelist_count"),
            AutoVacuum = SqliteConnections.Scalar<long>(c, "PRAGMA auto_vacuum") switch { 0 => "none", 1 => "full", 2 => "incremental", _ => "unknown" },
            JournalMode = SqliteConnections.Scalar<string>(c, "PRAGMA journal_mode") ?? "unknown",
            LegacyPresent = legacyPresent,
            UnmigratedLegacy = PartitionCatalog.TableExists(c, LegacyMigration.OldInvocations),
            LegacyMigratedAt = PartitionCatalog.TableExists(c, "ingest_meta") ? MetaTable.Get(c, MetaTable.LegacyMigratedAt) : null,
            Partitions = partitions,
            // WITHOUT ROWID, so no MAX(rowid) probe; a count is cheap on two days of minutes.
            MinuteTables = [.. PartitionCatalog.ListMinuteDays(c).Reverse().Select(d => new DayPartition(d))
                .Select(d => new TableInfo(d.TaskMinutesTable, SqliteConnections.Scalar<long>(c, $"SELECT count(*) FROM {d.TaskMinutesSql}")))],
            Legacy = legacy,
        };
    }

    private static long MaxRowId(SqliteConnection c, string table) =>
        SqliteConnections.Scalar<long>(c, $"SELECT COALESCE(MAX(rowid), 0) FROM {DayPartition.Delimit(table)}");
}

using System.Globalization;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Migration;

/// <summary>
/// The legacy (pre-partition) tables as the writer keeps them: whether they remain, their newest time (what
/// retention drops them by), and their search index, built in bounded chunks between batches. Runs on the writer's
/// connection; not thread-safe.
/// </summary>
internal sealed class LegacyStore
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;

    /// <summary>Reads the legacy tables' state: metadata and at most one index probe, never a scan.</summary>
    public LegacyStore(SqliteConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        Present = PartitionCatalog.HasLegacy(connection);
        Newest = Present ? ReadNewest() : null;
        SearchPending = Present && MetaTable.Get(connection, MetaTable.LegacySearchDone) is null;
    }

    /// <summary>Whether the legacy tables exist.</summary>
    public bool Present { get; private set; }

    /// <summary>Newest time in the legacy table (Unix seconds), read once at open: legacy never changes.</summary>
    public double? Newest { get; private set; }

    /// <summary>True while legacy rows remain outside the legacy search index.</summary>
    public bool SearchPending { get; private set; }

    /// <summary>Drops the legacy tables whole (DROP TABLE, never DELETE).</summary>
    public void Drop()
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, $"""
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacySearch)};
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacyDetails)};
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacyInvocations)};
            """, transaction);
        MetaTable.Set(_connection, MetaTable.LegacySearchDone, "dropped", transaction);
        transaction.Commit();
        Present = false;
        Newest = null;
        SearchPending = false;
    }

    /// <summary>
    /// Adds the next <paramref name="maxRows"/> legacy rows (by rowid) to the legacy search index, in one
    /// transaction, and records how far it got, so a restart resumes rather than starts over. Bounded work:
    /// the opening never indexes (a 26 GB history must not hold up the startup probe); maintenance calls
    /// this between batches. Returns the rows indexed.
    /// </summary>
    public int IndexChunk(int maxRows)
    {
        if (!SearchPending)
        {
            return 0;
        }

        var legacy = DayPartition.Delimit(PartitionCatalog.LegacyInvocations);
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, $"CREATE VIRTUAL TABLE IF NOT EXISTS {DayPartition.Delimit(PartitionCatalog.LegacySearch)} USING fts5 (args, kwargs, result, content = '')", transaction);
        var from = long.TryParse(MetaTable.Get(_connection, MetaTable.LegacySearchIndexed), NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) ? at : 0;
        long? last;
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT MAX(rowid) FROM (SELECT rowid FROM {legacy} WHERE rowid > $from ORDER BY rowid LIMIT $n)";
            command.Parameters.AddWithValue("$from", from);
            command.Parameters.AddWithValue("$n", maxRows);
            last = command.ExecuteScalar() is long l ? l : null;
        }

        var schema = Reading.LegacySchema.Read(_connection);
        var indexed = 0;
        if (last is not null && schema is { DetailsPresent: true })
        {
            string Det(string column) => schema.HasDetail(column) ? "d." + column : "NULL";
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                INSERT INTO {DayPartition.Delimit(PartitionCatalog.LegacySearch)} (rowid, args, kwargs, result)
                SELECT i.rowid, {Det("args_preview")}, {Det("kwargs_preview")}, {Det("result_preview")}
                FROM {legacy} AS i JOIN {DayPartition.Delimit(PartitionCatalog.LegacyDetails)} AS d ON d.task_id = i.task_id
                WHERE i.rowid > $from AND i.rowid <= $last
                """;
            command.Parameters.AddWithValue("$from", from);
            command.Parameters.AddWithValue("$last", last.Value);
            indexed = command.ExecuteNonQuery();
        }

        if (last is null || schema is not { DetailsPresent: true })
        {
            MetaTable.Set(_connection, MetaTable.LegacySearchDone, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), transaction);
            SearchPending = false;
        }
        else
        {
            MetaTable.Set(_connection, MetaTable.LegacySearchIndexed, last.Value.ToString(CultureInfo.InvariantCulture), transaction);
        }

        transaction.Commit();
        return indexed;
    }

    /// <summary>
    /// MAX(finished_at) when an index leads with finished_at (Phlower's idx_inv_finished): one probe. Without
    /// such an index MAX would scan the table, so the migration time stands in (every legacy row predates it).
    /// </summary>
    private double? ReadNewest()
    {
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT 1 FROM pragma_index_list('{PartitionCatalog.LegacyInvocations}') AS l
                JOIN pragma_index_info(l.name) AS i ON i.seqno = 0 AND i.name = 'finished_at'
                """;
            if (command.ExecuteScalar() is not null)
            {
                command.CommandText = $"SELECT MAX(finished_at) FROM {DayPartition.Delimit(PartitionCatalog.LegacyInvocations)}";
                return command.ExecuteScalar() is double newest ? newest : null;
            }
        }

        if (MetaTable.Get(_connection, MetaTable.LegacyMigratedAt) is { } at
            && double.TryParse(at, NumberStyles.Float, CultureInfo.InvariantCulture, out var migrated))
        {
            return migrated;
        }

        // Legacy tables Ingest did not rename itself: count retention from the first time it saw them,
        // rather than guess "empty" and drop someone's history.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        MetaTable.Set(_connection, MetaTable.LegacyMigratedAt, now.ToString(CultureInfo.InvariantCulture));
        return now;
    }
}

using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Audit;

/// <summary>
/// Lists audit entries newest first across the days' audit tables, on a pooled read-only connection (WAL: never
/// waits for the writer). Table names come only from the days the catalog lists.
/// </summary>
public sealed class AuditReader : IAuditStore
{
    private readonly string _connectionString;
    private readonly ReadTimeLimit _timeLimit;

    /// <param name="options">The database.</param>
    /// <param name="timeLimit">How long one read may run; default none.</param>
    public AuditReader(StorageOptions options, ReadTimeLimit? timeLimit = null)
    {
        _connectionString = SqliteConnections.ReaderConnectionString(options);
        _timeLimit = timeLimit ?? ReadTimeLimit.None;
    }

    /// <summary>A page of entries, newest first; the cursor of the last one when there may be more.</summary>
    public (IReadOnlyList<AuditRow> Rows, AuditCursor? Next) List(AuditQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, AuditQuery.MaxLimit);
        return _timeLimit.Run(_connectionString, connection => List(connection, query));
    }

    private static (IReadOnlyList<AuditRow>, AuditCursor?) List(SqliteConnection connection, AuditQuery query)
    {
        var first = DayPartition.DayOf(query.Since);
        var last = DayPartition.DayOf(query.Until);
        var rows = new List<AuditRow>();
        foreach (var day in PartitionCatalog.ListDays(connection).Where(d => d.Day >= first && d.Day <= last).Reverse())
        {
            if (!PartitionCatalog.TableExists(connection, day.AuditTable))
            {
                continue;
            }

            ReadDay(connection, day, query, query.Limit + 1 - rows.Count, rows);
            if (rows.Count > query.Limit)
            {
                break;
            }
        }

        if (rows.Count <= query.Limit)
        {
            return (rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return (rows, new AuditCursor(rows[^1].Entry.At, rows[^1].Id));
    }

    private static void ReadDay(SqliteConnection connection, DayPartition day, AuditQuery query, int limit, List<AuditRow> rows)
    {
        using var command = connection.CreateCommand();
        var where = "at >= $since AND at < $until"
            + (query.User is null ? "" : " AND user = $user")
            + (query.Action is null ? "" : " AND action = $action")
            + (query.Before is null ? "" : " AND (at < $before_at OR (at = $before_at AND id < $before_id))");
        command.CommandText = $"SELECT id, {string.Join(", ", AuditSchema.Columns)} FROM {day.AuditSql} WHERE {where} ORDER BY at DESC, id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$since", query.Since);
        command.Parameters.AddWithValue("$until", query.Until);
        command.Parameters.AddWithValue("$limit", limit);
        if (query.User is not null)
        {
            command.Parameters.AddWithValue("$user", query.User);
        }

        if (query.Action is not null)
        {
            command.Parameters.AddWithValue("$action", query.Action);
        }

        if (query.Before is { } before)
        {
            command.Parameters.AddWithValue("$before_at", before.At);
            command.Parameters.AddWithValue("$before_id", before.Id);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new AuditRow(reader.GetInt64(0), new AuditEntry(
                reader.GetDouble(1), Text(reader, 2), reader.GetString(3), Text(reader, 4), reader.GetString(5),
                reader.GetString(6), reader.GetInt32(7), Text(reader, 8), Text(reader, 9), Text(reader, 10))));
        }
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Audit;

/// <summary>
/// Writes audit entries into the audit table of each entry's day, on the writer's connection, in one short
/// transaction. A day with no partition yet gets one (so retention, which finds days by their invocations table,
/// drops its audit with it). Entries are few (one per control request), so statements are prepared per call and
/// disposed at once: none outlives the call to hold back a DROP TABLE.
/// </summary>
internal sealed class AuditWriter
{
    private readonly SqliteConnection _connection;
    private readonly PartitionSet _partitions;

    public AuditWriter(SqliteConnection connection, PartitionSet partitions)
    {
        _connection = connection;
        _partitions = partitions;
    }

    /// <summary>Writes the entries; returns how many. Throws on failure (nothing of the call is kept).</summary>
    public int Write(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return 0;
        }

        var days = entries.Select(e => DayPartition.FromUnixSeconds(e.At)).Distinct().ToList();
        foreach (var day in days)
        {
            _partitions.Ensure(day);
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        var inserts = new Dictionary<DayPartition, SqliteCommand>();
        try
        {
            foreach (var day in days)
            {
                SqliteConnections.Execute(_connection, AuditSchema.CreateSql(day), transaction);
                var insert = _connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO {day.AuditSql} ({string.Join(", ", AuditSchema.Columns)}) VALUES ({string.Join(", ", AuditSchema.Columns.Select(c => "$" + c))})";
                foreach (var column in AuditSchema.Columns)
                {
                    insert.Parameters.Add(new SqliteParameter("$" + column, DBNull.Value));
                }

                inserts[day] = insert;
            }

            foreach (var entry in entries)
            {
                var insert = inserts[DayPartition.FromUnixSeconds(entry.At)];
                object?[] values = [entry.At, entry.User, entry.Action, entry.Target, entry.Arguments, entry.Outcome, entry.Status, entry.Reason, entry.Replies, entry.Missing];
                for (var i = 0; i < values.Length; i++)
                {
                    insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            foreach (var insert in inserts.Values)
            {
                insert.Dispose();
            }
        }

        return entries.Count;
    }
}

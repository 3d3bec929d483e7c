using System.Text.Json;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Workers;

/// <summary>
/// Writes and reads the worker tables (issue 25) on the writer's connection. Writes are one short transaction per
/// call, one upsert per worker into the day of its last-seen time; a day with no partition yet gets one, so
/// retention, which finds days by their invocations table, drops its workers with it. Statements are prepared per
/// call and disposed at once: none outlives the call to hold back a DROP TABLE.
/// </summary>
internal static class WorkerStateStatements
{
    /// <summary>Days read back at start: a worker silent for longer than that is not worth showing as lost.</summary>
    public const int RestoreDays = 2;

    /// <summary>Upserts the rows; returns how many. Throws on failure (nothing of the call is kept).</summary>
    public static int Write(SqliteConnection connection, PartitionSet partitions, IReadOnlyList<WorkerStateRow> rows)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        var byDay = rows.GroupBy(r => DayPartition.FromUnixSeconds(r.LastSeenAt)).ToList();
        foreach (var day in byDay)
        {
            partitions.Ensure(day.Key);
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var day in byDay)
        {
            SqliteConnections.Execute(connection, WorkerStateSchema.CreateSql(day.Key), transaction);
            using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = WorkerStateSchema.UpsertSql(day.Key);
            foreach (var column in WorkerStateSchema.Columns)
            {
                upsert.Parameters.Add(new SqliteParameter("$" + column, DBNull.Value));
            }

            foreach (var row in day)
            {
                object?[] values =
                [
                    row.Hostname, row.Offline ? 1 : 0, row.LastHeartbeatAt, row.LastSeenAt, row.Freq, row.Active, row.Processed,
                    row.LoadAverage is null ? null : JsonSerializer.Serialize(row.LoadAverage),
                    row.SoftwareIdent, row.SoftwareVersion, row.SoftwareSystem, row.Pid, JsonSerializer.Serialize(row.Queues),
                ];
                for (var i = 0; i < values.Length; i++)
                {
                    upsert.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                upsert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return rows.Count;
    }

    /// <summary>
    /// The workers of the newest <see cref="RestoreDays"/> days that have a worker table, each worker's latest
    /// row only, most recently seen first, at most <paramref name="max"/>.
    /// </summary>
    public static IReadOnlyList<WorkerStateRow> Read(SqliteConnection connection, IEnumerable<DayPartition> newestFirst, int max)
    {
        var latest = new Dictionary<string, WorkerStateRow>(StringComparer.Ordinal);
        foreach (var day in newestFirst.Where(d => PartitionCatalog.TableExists(connection, d.WorkersTable)).Take(RestoreDays))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {string.Join(", ", WorkerStateSchema.Columns)} FROM {day.WorkersSql} ORDER BY last_seen_at DESC LIMIT $max";
            select.Parameters.AddWithValue("$max", max);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var row = ReadRow(reader);
                if (!latest.TryGetValue(row.Hostname, out var known) || known.LastSeenAt < row.LastSeenAt)
                {
                    latest[row.Hostname] = row;
                }
            }
        }

        return [.. latest.Values.OrderByDescending(r => r.LastSeenAt).Take(max)];
    }

    private static WorkerStateRow ReadRow(SqliteDataReader r) => new()
    {
        Hostname = r.GetString(0),
        Offline = r.GetInt64(1) != 0,
        LastHeartbeatAt = r.IsDBNull(2) ? null : r.GetDouble(2),
        LastSeenAt = r.GetDouble(3),
        Freq = r.IsDBNull(4) ? null : r.GetDouble(4),
        Active = r.IsDBNull(5) ? null : r.GetInt32(5),
        Processed = r.IsDBNull(6) ? null : r.GetInt64(6),
        LoadAverage = r.IsDBNull(7) ? null : JsonSerializer.Deserialize<double[]>(r.GetString(7)),
        SoftwareIdent = r.IsDBNull(8) ? null : r.GetString(8),
        SoftwareVersion = r.IsDBNull(9) ? null : r.GetString(9),
        SoftwareSystem = r.IsDBNull(10) ? null : r.GetString(10),
        Pid = r.IsDBNull(11) ? null : r.GetInt32(11),
        Queues = JsonSerializer.Deserialize<string[]>(r.GetString(12)) ?? [],
    };
}

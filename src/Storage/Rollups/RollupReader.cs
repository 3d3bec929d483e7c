using System.Text;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Rollups;

/// <summary>
/// Reads the hourly rollups of every day partition. A few rows per task name and hour: the answers to "did
/// it regress" and "what is failing" never visit invocation rows.
/// </summary>
public sealed class RollupReader
{
    private static readonly string StateColumns = string.Join(", ", PartitionSchema.StateCountColumns);

    private readonly string _connectionString;
    private readonly Reading.OpenReads? _reads;

    /// <param name="options">Where the database is.</param>
    /// <param name="reads">Where each read is tracked while open, for <c>/healthz</c>; none in tools and tests.</param>
    public RollupReader(StorageOptions options, Reading.OpenReads? reads = null)
    {
        _connectionString = SqliteConnections.ReaderConnectionString(options);
        _reads = reads;
    }

    /// <summary>Task-hour rows with <paramref name="since"/> &lt;= hour &lt; <paramref name="until"/> (Unix seconds), optionally for one name.</summary>
    public IReadOnlyList<TaskHourRow> TaskHours(double since, double until, string? name = null)
    {
        var rows = new List<TaskHourRow>();
        Query(since, until, name, d => d.TaskHoursSql, $"name, hour, total, {StateColumns}, runtime_count, runtime_sum, runtimes", reader =>
        {
            var states = new long[TaskStates.All.Count];
            for (var i = 0; i < states.Length; i++)
            {
                states[i] = reader.GetInt64(3 + i);
            }

            var at = 3 + states.Length;
            rows.Add(new TaskHourRow(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), states,
                reader.GetInt64(at), reader.GetDouble(at + 1), reader.IsDBNull(at + 2) ? null : (byte[])reader.GetValue(at + 2)));
        });
        return rows;
    }

    /// <summary>
    /// Facet rows (task, queue, worker group, hour) in the range, optionally for one name, queue or group. Days
    /// written before the facet rollup existed have none.
    /// </summary>
    public IReadOnlyList<GroupHourRow> GroupHours(double since, double until, string? name = null, string? queue = null, string? group = null)
    {
        var rows = new List<GroupHourRow>();
        var filters = Facets(queue, group);

        Query(since, until, name, d => d.GroupHoursSql,
            $"name, hour, total, {StateColumns}, runtime_count, runtime_sum, runtimes, queue, worker_group, queue_wait_count, queue_wait_sum, queue_waits, pickup_count, pickup_sum, pickups",
            reader =>
            {
                var states = new long[TaskStates.All.Count];
                for (var i = 0; i < states.Length; i++)
                {
                    states[i] = reader.GetInt64(3 + i);
                }

                var at = 3 + states.Length;
                var counts = new TaskHourRow(
                    reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), states,
                    reader.GetInt64(at), reader.GetDouble(at + 1), Blob(reader, at + 2));
                rows.Add(new GroupHourRow(
                    reader.GetString(at + 3), reader.GetString(at + 4), counts,
                    reader.GetInt64(at + 5), reader.GetDouble(at + 6), Blob(reader, at + 7),
                    reader.GetInt64(at + 8), reader.GetDouble(at + 9), Blob(reader, at + 10)));
            },
            filters);
        return rows;
    }

    /// <summary>
    /// Queue readings with <paramref name="since"/> &lt;= at &lt; <paramref name="until"/>, in buckets of
    /// <paramref name="bucketSeconds"/>, optionally for one queue; ordered by queue and bucket. Bounded by the
    /// sampler: at most its queue cap times the samples per interval, per day.
    /// </summary>
    public IReadOnlyList<QueueLengthPoint> QueueLengths(double since, double until, long bucketSeconds, string? queue = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketSeconds, 1);
        var points = new List<QueueLengthPoint>();
        using var connection = SqliteConnections.OpenReader(_connectionString, _reads);
        var tables = ExistingTables(connection);
        var first = DayPartition.FromUnixSeconds(since).Day;
        var last = DayPartition.FromUnixSeconds(until).Day;
        var union = new StringBuilder();
        foreach (var day in PartitionCatalog.ListDays(connection))
        {
            if (day.Day < first || day.Day > last || !tables.Contains(day.QueueLengthsTable))
            {
                continue;
            }

            if (union.Length > 0)
            {
                union.Append("\nUNION ALL\n");
            }

            union.Append("SELECT queue, at, length, consumers FROM ").Append(day.QueueLengthsSql)
                .Append(" WHERE at >= $since AND at < $until").Append(queue is null ? "" : " AND queue = $queue");
        }

        if (union.Length == 0)
        {
            return points;
        }

        using var command = connection.CreateCommand();
        // The last reading's consumers, in one aggregate: the newest time with its consumers (+1, 0 for none) in
        // the low digits (a bare column beside two max() would come from either row).
        command.CommandText = $"""
            SELECT queue, bucket, max(length), avg(length), count(*), max(at * 1000000 + coalesce(min(consumers, 999998) + 1, 0)) % 1000000 - 1
            FROM (SELECT queue, (at / $bucket) * $bucket AS bucket, at, length, consumers FROM ({union}))
            GROUP BY queue, bucket ORDER BY queue, bucket
            """;
        command.Parameters.AddWithValue("$since", (long)Math.Floor(since));
        command.Parameters.AddWithValue("$until", (long)Math.Ceiling(until));
        command.Parameters.AddWithValue("$bucket", bucketSeconds);
        if (queue is not null)
        {
            command.Parameters.AddWithValue("$queue", queue);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            points.Add(new QueueLengthPoint(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3),
                reader.GetInt32(5) is var consumers and >= 0 ? consumers : null, reader.GetInt32(4)));
        }

        return points;
    }

    private static byte[]? Blob(SqliteDataReader reader, int at) => reader.IsDBNull(at) ? null : (byte[])reader.GetValue(at);

    /// <summary>Failure-hour rows in the range, optionally for one name; groups whose count fell to zero are left out.</summary>
    public IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name = null) =>
        ReadFailures(since, until, name, d => d.FailureHoursSql, null);

    /// <summary>
    /// Failure-hour rows of one queue and/or worker group (the failures' facet rollup), in the shape of
    /// <see cref="FailureHours(double, double, string?)"/>; days written before it have none.
    /// </summary>
    public IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name, string? queue, string? group) =>
        ReadFailures(since, until, name, d => d.FailureGroupsSql, Facets(queue, group));

    private List<FailureHourRow> ReadFailures(double since, double until, string? name, Func<DayPartition, string> table, IReadOnlyList<(string Column, string Value)>? filters)
    {
        var rows = new List<FailureHourRow>();
        Query(since, until, name, table, "name, exception_type, hour, count, first_seen, last_seen, example_task_id", reader =>
        {
            if (reader.GetInt64(3) > 0)
            {
                rows.Add(new FailureHourRow(
                    reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetDouble(4), reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        },
            filters);
        return rows;
    }

    /// <summary>The facet columns a read is narrowed by (constants: only the values come from the request).</summary>
    private static List<(string Column, string Value)> Facets(string? queue, string? group)
    {
        var filters = new List<(string Column, string Value)>();
        if (queue is not null)
        {
            filters.Add(("queue", queue));
        }

        if (group is not null)
        {
            filters.Add(("worker_group", group));
        }

        return filters;
    }

    private void Query(double since, double until, string? name, Func<DayPartition, string> table, string columns, Action<SqliteDataReader> read,
        IReadOnlyList<(string Column, string Value)>? filters = null)
    {
        using var connection = SqliteConnections.OpenReader(_connectionString, _reads);
        var tables = ExistingTables(connection);
        // An hour's row lives in the day of the invocations it counts, which is that hour's day almost always;
        // a day either side covers a merged row whose finish moved it.
        var first = DayPartition.FromUnixSeconds(since).Day.AddDays(-1);
        var last = DayPartition.FromUnixSeconds(until).Day.AddDays(1);
        var sql = new StringBuilder();
        foreach (var day in PartitionCatalog.ListDays(connection))
        {
            if (day.Day < first || day.Day > last || !tables.Contains(table(day).Trim('"')))
            {
                continue;
            }

            if (sql.Length > 0)
            {
                sql.Append("\nUNION ALL\n");
            }

            sql.Append("SELECT ").Append(columns).Append(" FROM ").Append(table(day)).Append(" WHERE hour >= $since AND hour < $until");
            if (name is not null)
            {
                sql.Append(" AND name = $name");
            }

            // Column names are this class's constants, never request text; values are bound.
            foreach (var (column, _) in filters ?? [])
            {
                sql.Append(" AND ").Append(column).Append(" = $").Append(column);
            }
        }

        if (sql.Length == 0)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql.ToString();
        command.Parameters.AddWithValue("$since", RollupContribution.HourOf(since));
        command.Parameters.AddWithValue("$until", until);
        if (name is not null)
        {
            command.Parameters.AddWithValue("$name", name);
        }

        foreach (var (column, value) in filters ?? [])
        {
            command.Parameters.AddWithValue("$" + column, value);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            read(reader);
        }
    }

    private static HashSet<string> ExistingTables(SqliteConnection connection)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'task\\_hours\\_%' ESCAPE '\\' OR name LIKE 'failure\\_hours\\_%' ESCAPE '\\' OR name LIKE 'group\\_hours\\_%' ESCAPE '\\' OR name LIKE 'queue\\_lengths\\_%' ESCAPE '\\' OR name LIKE 'failure\\_groups\\_%' ESCAPE '\\')";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

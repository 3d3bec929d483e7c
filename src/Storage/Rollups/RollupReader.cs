using System.Text;
using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Rollups;

/// <summary>
/// Reads the hourly rollups of every day partition. A few rows per task name and hour: the answers to "did
/// it regress" and "what is failing" never visit invocation rows.
/// </summary>
public sealed class RollupReader : IRollupStore
{
    private static readonly string StateColumns = string.Join(", ", PartitionSchema.StateCountColumns);

    private readonly string _connectionString;
    private readonly ReadTimeLimit _timeLimit;

    /// <param name="options">The database.</param>
    /// <param name="timeLimit">How long one read may run (the host's <see cref="ReadOptions"/>); default none.</param>
    public RollupReader(StorageOptions options, ReadTimeLimit? timeLimit = null)
    {
        _connectionString = SqliteConnections.ReaderConnectionString(options);
        _timeLimit = timeLimit ?? ReadTimeLimit.None;
    }

    /// <summary>Task-hour rows with <paramref name="since"/> &lt;= hour &lt; <paramref name="until"/> (Unix seconds), optionally for one name.</summary>
    public IReadOnlyList<TaskHourRow> TaskHours(double since, double until, string? name = null) =>
        TaskHours(new RollupDaysReader(since, until, name));

    /// <summary>Task-hour rows of <paramref name="names"/> only: a page of tasks, read in one statement.</summary>
    public IReadOnlyList<TaskHourRow> TaskHoursOf(double since, double until, IReadOnlyCollection<string> names) =>
        names.Count == 0 ? [] : TaskHours(new RollupDaysReader(since, until, names: names));

    private List<TaskHourRow> TaskHours(RollupDaysReader days)
    {
        var rows = new List<TaskHourRow>();
        Query(days, d => d.TaskHoursSql, $"name, hour, total, {StateColumns}, runtime_count, runtime_sum, runtimes", reader =>
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
    public IReadOnlyList<GroupHourRow> GroupHours(double since, double until, string? name = null, string? queue = null, string? group = null) =>
        GroupHours(new RollupDaysReader(since, until, name, queue: queue, group: group));

    /// <summary>Facet rows of <paramref name="names"/> only, optionally for one queue or group: a page of tasks, read in one statement.</summary>
    public IReadOnlyList<GroupHourRow> GroupHoursOf(double since, double until, IReadOnlyCollection<string> names, string? queue = null, string? group = null) =>
        names.Count == 0 ? [] : GroupHours(new RollupDaysReader(since, until, names: names, queue: queue, group: group));

    /// <summary>
    /// Minute rows (task, queue, worker group, minute) with <paramref name="since"/> &lt;= minute &lt; <paramref name="until"/>,
    /// in the facet rows' shape (<see cref="TaskHourRow.Hour"/> holds the minute's start): the last 48 hours only.
    /// </summary>
    public IReadOnlyList<GroupHourRow> GroupMinutes(double since, double until, string? name = null, string? queue = null, string? group = null) =>
        GroupHours(new RollupDaysReader(since, until, name, queue: queue, group: group, minutes: true), d => d.TaskMinutesSql, "minute");

    /// <summary>Minute rows of <paramref name="names"/> only, optionally for one queue or group: a page of tasks, in one statement.</summary>
    public IReadOnlyList<GroupHourRow> GroupMinutesOf(double since, double until, IReadOnlyCollection<string> names, string? queue = null, string? group = null) =>
        names.Count == 0 ? [] : GroupHours(new RollupDaysReader(since, until, names: names, queue: queue, group: group, minutes: true), d => d.TaskMinutesSql, "minute");

    /// <summary>
    /// Whether the minute rollup holds every run the facet rollup counts in [<paramref name="hourFrom"/>,
    /// <paramref name="hourTo"/>) (whole hours): false where runs were written before it existed, or more than 48
    /// hours late. A sum per table over a few hours' rows. Where nothing ran, true: the minutes hold all of nothing.
    /// </summary>
    public bool MinutesComplete(double hourFrom, double hourTo)
    {
        long Total(RollupDaysReader days, Func<DayPartition, string> table)
        {
            long total = 0;
            // One sum per day's table, added up here: the rows stay in SQLite.
            Query(days, table, "coalesce(sum(total), 0)", reader => total += reader.GetInt64(0));
            return total;
        }

        return Total(new RollupDaysReader(hourFrom, hourTo), d => d.GroupHoursSql) == Total(new RollupDaysReader(hourFrom, hourTo, minutes: true), d => d.TaskMinutesSql);
    }

    private List<GroupHourRow> GroupHours(RollupDaysReader days, Func<DayPartition, string>? table = null, string key = "hour")
    {
        var rows = new List<GroupHourRow>();
        Query(days, table ?? (d => d.GroupHoursSql),
            $"name, {key}, total, {StateColumns}, runtime_count, runtime_sum, runtimes, queue, worker_group, queue_wait_count, queue_wait_sum, queue_waits, pickup_count, pickup_sum, pickups",
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
            });
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
        return _timeLimit.Run(_connectionString, connection => QueueLengths(connection, since, until, bucketSeconds, queue));
    }

    private static List<QueueLengthPoint> QueueLengths(SqliteConnection connection, double since, double until, long bucketSeconds, string? queue)
    {
        var points = new List<QueueLengthPoint>();
        var tables = RollupDaysReader.ExistingTables(connection);
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
        ReadFailures(new RollupDaysReader(since, until, name), d => d.FailureHoursSql);

    /// <summary>
    /// Failure-hour rows of one queue and/or worker group (the failures' facet rollup), in the shape of
    /// <see cref="FailureHours(double, double, string?)"/>; days written before it have none.
    /// </summary>
    public IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name, string? queue, string? group) =>
        ReadFailures(new RollupDaysReader(since, until, name, queue: queue, group: group), d => d.FailureGroupsSql);

    private List<FailureHourRow> ReadFailures(RollupDaysReader days, Func<DayPartition, string> table)
    {
        var rows = new List<FailureHourRow>();
        Query(days, table, "name, exception_type, hour, count, first_seen, last_seen, example_task_id", reader =>
        {
            if (reader.GetInt64(3) > 0)
            {
                rows.Add(new FailureHourRow(
                    reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetDouble(4), reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        });
        return rows;
    }

    /// <summary>Runs one union read under the time limit, handing each row to <paramref name="read"/>.</summary>
    private void Query(RollupDaysReader days, Func<DayPartition, string> table, string columns, Action<SqliteDataReader> read) =>
        _timeLimit.Run(_connectionString, connection =>
        {
            if (days.Union(connection, table, columns) is not { } union)
            {
                return 0;
            }

            using var command = connection.CreateCommand();
            command.CommandText = union;
            days.Bind(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                read(reader);
            }

            return 0;
        });
}

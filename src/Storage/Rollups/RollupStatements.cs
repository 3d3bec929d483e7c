using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Rollups;

/// <summary>The prepared upserts that add one batch's deltas to a day's rollup tables.</summary>
internal sealed class RollupStatements : IDisposable
{
    /// <summary>The SQL function the task-hour upsert merges runtime histograms with (registered on the writer).</summary>
    public const string MergeFunction = "ingest_histogram_merge";

    private static readonly string[] StateColumns = PartitionSchema.StateCountColumns;

    private static readonly string[] FailureParameters = ["name", "exception_type", "hour", "count", "first_seen", "last_seen", "example"];

    private readonly SqliteCommand _task;
    private readonly SqliteCommand _failure;
    private readonly SqliteCommand _group;
    private readonly SqliteCommand _failureGroup;
    private readonly SqliteCommand _minute;

    public RollupStatements(SqliteConnection connection, DayPartition day)
    {
        var counts = StateColumns.Append("total").Append("runtime_count").Append("runtime_sum").ToArray();
        _task = connection.CreateCommand();
        _task.CommandText = $"""
            INSERT INTO {day.TaskHoursSql} (name, hour, {string.Join(", ", counts)}, runtimes)
            VALUES ($name, $hour, {string.Join(", ", counts.Select(c => "$" + c))}, $runtimes)
            ON CONFLICT (name, hour) DO UPDATE SET
                {string.Join(", ", counts.Select(c => $"{c} = {c} + excluded.{c}"))},
                runtimes = {MergeFunction}(runtimes, excluded.runtimes)
            """;
        foreach (var p in ((string[])["name", "hour", .. counts, "runtimes"]))
        {
            _task.Parameters.Add(new SqliteParameter("$" + p, DBNull.Value));
        }

        _group = FacetUpsert(connection, day.GroupHoursSql, "hour", counts);
        // The minute rollup (issue 25) has the facet rollup's shape; prepared on first use, after its table is ensured.
        _minute = FacetUpsert(connection, day.TaskMinutesSql, "minute", counts);

        _failure = FailureUpsert(connection, day.FailureHoursSql, ["name", "exception_type", "hour"]);
        // By queue and worker group too (prepared on first use: a day made before it gets the table first).
        _failureGroup = FailureUpsert(connection, day.FailureGroupsSql, ["name", "exception_type", "hour", "queue", "worker_group"]);
    }

    /// <summary>The facet upsert (task, queue, worker group, and <paramref name="key"/>: hour or minute) with its counts and three histograms.</summary>
    private static SqliteCommand FacetUpsert(SqliteConnection connection, string table, string key, string[] counts)
    {
        var groupCounts = counts.Append("queue_wait_count").Append("queue_wait_sum").Append("pickup_count").Append("pickup_sum").ToArray();
        string[] histograms = ["runtimes", "queue_waits", "pickups"];
        var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {table} (name, queue, worker_group, {key}, {string.Join(", ", groupCounts)}, {string.Join(", ", histograms)})
            VALUES ($name, $queue, $worker_group, $key, {string.Join(", ", groupCounts.Select(c => "$" + c))}, {string.Join(", ", histograms.Select(c => "$" + c))})
            ON CONFLICT (name, queue, worker_group, {key}) DO UPDATE SET
                {string.Join(", ", groupCounts.Select(c => $"{c} = {c} + excluded.{c}"))},
                {string.Join(", ", histograms.Select(c => $"{c} = {MergeFunction}({c}, excluded.{c})"))}
            """;
        foreach (var p in ((string[])["name", "queue", "worker_group", "key", .. groupCounts, .. histograms]))
        {
            command.Parameters.Add(new SqliteParameter("$" + p, DBNull.Value));
        }

        return command;
    }

    /// <summary>The failure upsert of one table, keyed by <paramref name="keys"/>; parameters in <see cref="FailureParameters"/> order, then the keys past them.</summary>
    private static SqliteCommand FailureUpsert(SqliteConnection connection, string table, string[] keys)
    {
        var command = connection.CreateCommand();
        var columns = string.Join(", ", keys);
        command.CommandText = $"""
            INSERT INTO {table} ({columns}, count, first_seen, last_seen, example_task_id)
            VALUES ({string.Join(", ", keys.Select(k => "$" + k))}, $count, $first_seen, $last_seen, $example)
            ON CONFLICT ({columns}) DO UPDATE SET
                count = count + excluded.count,
                first_seen = CASE WHEN excluded.first_seen IS NULL THEN first_seen ELSE MIN(COALESCE(first_seen, excluded.first_seen), excluded.first_seen) END,
                example_task_id = CASE WHEN excluded.last_seen >= COALESCE(last_seen, excluded.last_seen) THEN excluded.example_task_id ELSE example_task_id END,
                last_seen = CASE WHEN excluded.last_seen IS NULL THEN last_seen ELSE MAX(COALESCE(last_seen, excluded.last_seen), excluded.last_seen) END
            """;
        foreach (var p in FailureParameters.Concat(keys.Except(FailureParameters)))
        {
            command.Parameters.Add(new SqliteParameter("$" + p, DBNull.Value));
        }

        return command;
    }

    /// <summary>A failure delta by queue and worker group (the failures' facet rollup).</summary>
    public void Write(string name, string exceptionType, string queue, string group, long hour, FailureHourDelta delta, SqliteTransaction transaction)
    {
        var p = _failureGroup.Parameters;
        p[FailureParameters.Length].Value = queue;
        p[FailureParameters.Length + 1].Value = group;
        Bind(p, name, exceptionType, hour, delta);
        _failureGroup.Transaction = transaction;
        _failureGroup.ExecuteNonQuery();
    }

    private static void Bind(SqliteParameterCollection p, string name, string exceptionType, long hour, FailureHourDelta delta)
    {
        p[0].Value = name;
        p[1].Value = exceptionType;
        p[2].Value = hour;
        p[3].Value = delta.Count;
        p[4].Value = delta.ExampleTaskId is null ? DBNull.Value : delta.FirstSeen;
        p[5].Value = delta.ExampleTaskId is null ? DBNull.Value : delta.LastSeen;
        p[6].Value = (object?)delta.ExampleTaskId ?? DBNull.Value;
    }

    public void Write(string name, long hour, TaskHourDelta delta, SqliteTransaction transaction)
    {
        var p = _task.Parameters;
        p[0].Value = name;
        p[1].Value = hour;
        for (var i = 0; i < StateColumns.Length; i++)
        {
            p[2 + i].Value = delta.States[i];
        }

        p[2 + StateColumns.Length].Value = delta.Total;
        p[3 + StateColumns.Length].Value = delta.RuntimeCount;
        p[4 + StateColumns.Length].Value = delta.RuntimeSum;
        p[5 + StateColumns.Length].Value = delta.Runtimes is { } h ? h.Encode() : DBNull.Value;
        _task.Transaction = transaction;
        _task.ExecuteNonQuery();
    }

    public void Write(string name, string queue, string group, long hour, TaskHourDelta delta, SqliteTransaction transaction) =>
        WriteFacet(_group, name, queue, group, hour, delta, transaction);

    /// <summary>A minute's delta by queue and worker group (the minute rollup); <paramref name="minute"/> is the minute's start.</summary>
    public void WriteMinute(string name, string queue, string group, long minute, TaskHourDelta delta, SqliteTransaction transaction) =>
        WriteFacet(_minute, name, queue, group, minute, delta, transaction);

    private static void WriteFacet(SqliteCommand command, string name, string queue, string group, long hour, TaskHourDelta delta, SqliteTransaction transaction)
    {
        var p = command.Parameters;
        p[0].Value = name;
        p[1].Value = queue;
        p[2].Value = group;
        p[3].Value = hour;
        var at = 4;
        for (var i = 0; i < StateColumns.Length; i++)
        {
            p[at++].Value = delta.States[i];
        }

        p[at++].Value = delta.Total;
        p[at++].Value = delta.RuntimeCount;
        p[at++].Value = delta.RuntimeSum;
        p[at++].Value = delta.QueueWaitCount;
        p[at++].Value = delta.QueueWaitSum;
        p[at++].Value = delta.PickupCount;
        p[at++].Value = delta.PickupSum;
        p[at++].Value = delta.Runtimes is { } r ? r.Encode() : DBNull.Value;
        p[at++].Value = delta.QueueWaits is { } q ? q.Encode() : DBNull.Value;
        p[at].Value = delta.Pickups is { } w ? w.Encode() : DBNull.Value;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    public void Write(string name, string exceptionType, long hour, FailureHourDelta delta, SqliteTransaction transaction)
    {
        Bind(_failure.Parameters, name, exceptionType, hour, delta);
        _failure.Transaction = transaction;
        _failure.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _task.Dispose();
        _failure.Dispose();
        _group.Dispose();
        _failureGroup.Dispose();
        _minute.Dispose();
    }
}

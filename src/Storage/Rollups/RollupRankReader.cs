using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Rollups;

/// <summary>
/// Rankings over the rollups, added up and ordered by SQLite so that only a page leaves it: the task names with the
/// most runs, the values of a facet, the failure groups. Reading every row of a range and grouping it here held a
/// high-cardinality day's 10,001 tasks, with a series each, in memory per request (issue 24: 1.4 GB for one call,
/// 10 GB for eight).
/// </summary>
/// <param name="options">The database.</param>
/// <param name="timeLimit">How long one read may run; default none.</param>
public sealed class RollupRankReader(StorageOptions options, ReadTimeLimit? timeLimit = null) : IRollupRanks
{
    private readonly string _connectionString = SqliteConnections.ReaderConnectionString(options);
    private readonly ReadTimeLimit _timeLimit = timeLimit ?? ReadTimeLimit.None;

    /// <summary>
    /// Task names with runs in [<paramref name="since"/>, <paramref name="until"/>), most runs first, then by name; at
    /// most <paramref name="limit"/>, after <paramref name="after"/>. With a queue or worker group, runs come from the
    /// facet rollup (days written before it have none).
    /// </summary>
    public RankedPage<RankedName> TopTasks(double since, double until, string? queue, string? group, int limit, RankCursor? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var days = new RollupDaysReader(since, until, queue: queue, group: group);
        Func<DayPartition, string> table = queue is null && group is null ? d => d.TaskHoursSql : d => d.GroupHoursSql;
        return Rank(days, table, "name, total", "name", limit, after, "runs <> 0");
    }

    /// <summary>
    /// <see cref="TopTasks"/> from the minute rollup: a range of the last 48 hours ranked by the minutes inside it,
    /// so a task that ran only before a "15 min" range began is not listed in it.
    /// </summary>
    public RankedPage<RankedName> TopTasksByMinute(double since, double until, string? queue, string? group, int limit, RankCursor? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Rank(new RollupDaysReader(since, until, queue: queue, group: group, minutes: true), d => d.TaskMinutesSql, "name, total", "name", limit, after, "runs <> 0");
    }

    /// <summary>Task names with runs in the range, most runs first; at most <paramref name="limit"/>; tasks without a name are left out.</summary>
    public RankedPage<RankedName> TopNames(double since, double until, int limit) =>
        Rank(new RollupDaysReader(since, until), d => d.TaskHoursSql, "name, total", "name", limit, null, "runs > 0 AND name <> ''");

    /// <summary>Queues with runs in the range (facet rollup), most runs first; at most <paramref name="limit"/>.</summary>
    public RankedPage<RankedName> TopQueues(double since, double until, int limit) =>
        Rank(new RollupDaysReader(since, until), d => d.GroupHoursSql, "queue AS value, total", "value", limit, null, "runs > 0 AND value <> ''");

    /// <summary>Worker groups with runs in the range (facet rollup), most runs first; at most <paramref name="limit"/>.</summary>
    public RankedPage<RankedName> TopWorkerGroups(double since, double until, int limit) =>
        Rank(new RollupDaysReader(since, until), d => d.GroupHoursSql, "worker_group AS value, total", "value", limit, null, "runs > 0 AND value <> ''");

    /// <summary>
    /// Failures in the range by task name and exception type, most first, then the most recently seen; at most
    /// <paramref name="limit"/>, after <paramref name="after"/>. Groups whose count fell to zero are left out.
    /// </summary>
    public RankedPage<FailureTotal> Failures(double since, double until, string? name, string? queue, string? group, int limit, RankCursor? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var days = new RollupDaysReader(since, until, name, queue: queue, group: group);
        Func<DayPartition, string> table = queue is null && group is null ? d => d.FailureHoursSql : d => d.FailureGroupsSql;
        return _timeLimit.Run(_connectionString, connection =>
        {
            if (days.Union(connection, table, "name, exception_type, count, first_seen, last_seen, example_task_id") is not { } union)
            {
                return new RankedPage<FailureTotal>([], 0, false);
            }

            using var command = connection.CreateCommand();
            // The example is the newest hour's: its last_seen, fixed-width so that text order is time order, carries its
            // task id in one max() (a bare column beside several aggregates would come from any row).
            command.CommandText = $"""
                SELECT name, exception_type, n, first, last, newest, groups FROM (
                  SELECT name, exception_type, sum(count) AS n, min(first_seen) AS first, max(last_seen) AS last,
                    max(CASE WHEN last_seen IS NULL THEN NULL ELSE printf('%025.6f', last_seen) || coalesce(example_task_id, '') END) AS newest,
                    count(*) OVER () AS groups
                  FROM ({union}) WHERE count > 0 GROUP BY name, exception_type HAVING n > 0)
                WHERE $after_n IS NULL OR n < $after_n OR (n = $after_n AND (coalesce(last, -1) < $after_last
                  OR (coalesce(last, -1) = $after_last AND (name > $after_name OR (name = $after_name AND exception_type > $after_type)))))
                ORDER BY n DESC, coalesce(last, -1) DESC, name, exception_type LIMIT $limit
                """;
            days.Bind(command);
            BindPage(command, limit, after);
            command.Parameters.AddWithValue("$after_last", after?.Last ?? 0);
            command.Parameters.AddWithValue("$after_type", after?.Second ?? "");
            var items = new List<FailureTotal>();
            long total = 0;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var newest = reader.IsDBNull(5) ? null : reader.GetString(5);
                    items.Add(new FailureTotal(
                        reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                        reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                        newest is { Length: > 25 } ? newest[25..] : null));
                    total = reader.GetInt64(6);
                }
            }

            return Page(items, limit, total);
        });
    }

    /// <summary>Names (or values) of one rollup column ranked by their summed <c>total</c>.</summary>
    private RankedPage<RankedName> Rank(RollupDaysReader days, Func<DayPartition, string> table, string columns, string key, int limit, RankCursor? after, string having) =>
        _timeLimit.Run(_connectionString, connection =>
        {
            if (days.Union(connection, table, columns) is not { } union)
            {
                return new RankedPage<RankedName>([], 0, false);
            }

            using var command = connection.CreateCommand();
            // The count over every group is taken inside, before the page's bound: total is the whole ranking's.
            command.CommandText = $"""
                SELECT {key}, runs, ranked FROM (
                  SELECT {key}, runs, count(*) OVER () AS ranked FROM (
                    SELECT {key}, sum(total) AS runs FROM ({union}) GROUP BY {key} HAVING {having}))
                WHERE $after_n IS NULL OR runs < $after_n OR (runs = $after_n AND {key} > $after_name)
                ORDER BY runs DESC, {key} LIMIT $limit
                """;
            days.Bind(command);
            BindPage(command, limit, after);
            var items = new List<RankedName>();
            long total = 0;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    items.Add(new RankedName(reader.GetString(0), reader.GetInt64(1)));
                    total = reader.GetInt64(2);
                }
            }

            return Page(items, limit, total);
        });

    /// <summary>One row more than the page, so that whether another page follows is known without counting.</summary>
    private static void BindPage(SqliteCommand command, int limit, RankCursor? after)
    {
        command.Parameters.AddWithValue("$limit", limit + 1);
        command.Parameters.AddWithValue("$after_n", after is null ? DBNull.Value : after.Count);
        command.Parameters.AddWithValue("$after_name", after?.Name ?? "");
    }

    private static RankedPage<T> Page<T>(List<T> items, int limit, long total)
    {
        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new RankedPage<T>(items, total, more);
    }
}

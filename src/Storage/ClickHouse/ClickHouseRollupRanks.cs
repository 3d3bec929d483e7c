using System.Text.Json;
using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Rankings over migration 2's rollups (issue 26), added up, ordered and paged by ClickHouse so that only a page leaves
/// it (issue 24), with the cursors SQLite's <see cref="RollupRankReader"/> takes: most first, then by name (bytes, as
/// SQLite's BINARY order), a page after a cursor strictly below it. 18.16 has no window functions, so the ranking's
/// size is a second, small query over the same groups.
/// </summary>
public sealed class ClickHouseRollupRanks : IRollupRanks
{
    private readonly ClickHouseClient _client;
    private readonly string _db;

    /// <param name="client">The store (not disposed here: readers share the host's client).</param>
    public ClickHouseRollupRanks(ClickHouseClient client)
    {
        _client = client;
        _db = client.Endpoint.Database;
    }

    /// <inheritdoc/>
    public RankedPage<RankedName> TopTasks(double since, double until, string? queue, string? group, int limit, RankCursor? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Rank(new ClickHouseRollupRange(since, until, Queue: queue, Group: group), "name", limit, after, "runs != 0");
    }

    /// <inheritdoc/>
    public RankedPage<RankedName> TopTasksByMinute(double since, double until, string? queue, string? group, int limit, RankCursor? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Rank(new ClickHouseRollupRange(since, until, Queue: queue, Group: group, Minutes: true), "name", limit, after, "runs != 0");
    }

    /// <inheritdoc/>
    public RankedPage<RankedName> TopNames(double since, double until, int limit) =>
        Rank(new ClickHouseRollupRange(since, until), "name", limit, null, "runs > 0 AND k != ''");

    /// <inheritdoc/>
    public RankedPage<RankedName> TopQueues(double since, double until, int limit) =>
        Rank(new ClickHouseRollupRange(since, until), "queue", limit, null, "runs > 0 AND k != ''");

    /// <inheritdoc/>
    public RankedPage<RankedName> TopWorkerGroups(double since, double until, int limit) =>
        Rank(new ClickHouseRollupRange(since, until), "worker_group", limit, null, "runs > 0 AND k != ''");

    /// <inheritdoc/>
    public RankedPage<FailureTotal> Failures(double since, double until, string? name, string? queue, string? group, int limit, RankCursor? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var range = new ClickHouseRollupRange(since, until, name, Queue: queue, Group: group);
        // Each row's figures first (its parts merged), rows whose count fell to zero left out as on SQLite, then the
        // groups; the newest seen carries the example (argMax), and -1 stands for none seen in the order.
        var groups =
            "SELECT name, exception_type, sum(c) AS cnt, minIf(f, e != '') AS fs, maxIf(l, e != '') AS ls, argMaxIf(e, l, e != '') AS ex, " +
            "countIf(e != '') AS seen, if(seen > 0, ls, -1) AS lastv FROM (" +
            $"SELECT name, exception_type, {ClickHouseRollupReader.FailureMerges} FROM {_db}.failure_groups{range.Where()} " +
            "GROUP BY name, exception_type, queue, worker_group, hour HAVING c > 0) GROUP BY name, exception_type HAVING cnt > 0";
        var where = "";
        if (after is not null)
        {
            var n = ClickHouseSql.Number(after.Count);
            var last = ClickHouseSql.Number(after.Last);
            var an = ClickHouseSql.Quote(after.Name);
            where = $" WHERE cnt < {n} OR (cnt = {n} AND (lastv < {last} OR (lastv = {last} AND (name > {an} OR (name = {an} AND exception_type > {ClickHouseSql.Quote(after.Second)})))))";
        }

        var items = Rows($"SELECT * FROM ({groups}){where} ORDER BY cnt DESC, lastv DESC, name, exception_type LIMIT {ClickHouseSql.Number(limit + 1)}")
            .Select(r =>
            {
                var seen = ClickHouseAnswers.Int64(r, "seen") > 0;
                return new FailureTotal(
                    ClickHouseAnswers.Text(r, "name")!, ClickHouseAnswers.Text(r, "exception_type")!, ClickHouseAnswers.Int64(r, "cnt"),
                    seen ? ClickHouseAnswers.Number(r, "fs") : null, seen ? ClickHouseAnswers.Number(r, "ls") : null,
                    seen ? ClickHouseAnswers.Text(r, "ex") : null);
            })
            .ToList();
        return Page(items, limit, () => Count(groups));
    }

    /// <summary>Values of one facet-rollup column (k) ranked by their summed runs.</summary>
    private RankedPage<RankedName> Rank(ClickHouseRollupRange range, string column, int limit, RankCursor? after, string having)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = range.Minutes ? "task_minutes" : "group_hours";
        var groups = $"SELECT {column} AS k, sum(total) AS runs FROM {_db}.{table}{range.Where()} GROUP BY k HAVING {having}";
        var where = after is null
            ? ""
            : $" WHERE runs < {ClickHouseSql.Number(after.Count)} OR (runs = {ClickHouseSql.Number(after.Count)} AND k > {ClickHouseSql.Quote(after.Name)})";
        var items = Rows($"SELECT k, runs FROM ({groups}){where} ORDER BY runs DESC, k LIMIT {ClickHouseSql.Number(limit + 1)}")
            .Select(r => new RankedName(ClickHouseAnswers.Text(r, "k")!, ClickHouseAnswers.Int64(r, "runs")))
            .ToList();
        return Page(items, limit, () => Count(groups));
    }

    /// <summary>How many groups the whole ranking has (not only the page's).</summary>
    private long Count(string groups) =>
        Rows($"SELECT count() AS n FROM ({groups})").Select(r => ClickHouseAnswers.Int64(r, "n")).FirstOrDefault();

    private static RankedPage<T> Page<T>(List<T> items, int limit, Func<long> total)
    {
        var more = items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        // SQLite's window count is 0 on a page past the end; the count query runs only where a page has items.
        return new RankedPage<T>(items, items.Count == 0 ? 0 : total(), more);
    }

    private IEnumerable<JsonElement> Rows(string sql) => ClickHouseAnswers.Rows(_client.Query(sql + " FORMAT JSONEachRow"));
}

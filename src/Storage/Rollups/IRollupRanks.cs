using Ingest.Storage.Reading;

namespace Ingest.Storage.Rollups;

/// <summary>
/// Rankings over the rollups, added up and ordered by the store so that only a page leaves it (issue 24), whichever
/// store holds them (issue 26): SQLite's <see cref="RollupRankReader"/> or ClickHouse's. Cursors are store-neutral
/// (<see cref="RankCursor"/>): a page after one starts strictly below it in (count desc, name) order.
/// </summary>
public interface IRollupRanks
{
    /// <summary>Task names with runs in the range, most runs first, then by name; at most <paramref name="limit"/>, after <paramref name="after"/>.</summary>
    RankedPage<RankedName> TopTasks(double since, double until, string? queue, string? group, int limit, RankCursor? after = null);

    /// <summary><see cref="TopTasks"/> from the minute rollup (the last 48 hours).</summary>
    RankedPage<RankedName> TopTasksByMinute(double since, double until, string? queue, string? group, int limit, RankCursor? after = null);

    /// <summary>Task names with runs in the range, most runs first; tasks without a name are left out.</summary>
    RankedPage<RankedName> TopNames(double since, double until, int limit);

    /// <summary>Queues with runs in the range (facet rollup), most runs first.</summary>
    RankedPage<RankedName> TopQueues(double since, double until, int limit);

    /// <summary>Worker groups with runs in the range (facet rollup), most runs first.</summary>
    RankedPage<RankedName> TopWorkerGroups(double since, double until, int limit);

    /// <summary>Failures by task name and exception type, most first, then the most recently seen, then name and type.</summary>
    RankedPage<FailureTotal> Failures(double since, double until, string? name, string? queue, string? group, int limit, RankCursor? after = null);
}

namespace Ingest.Endpoints;

/// <summary>A task's series and verdict, with the range's figures by queue and by worker group (the facet rollup's; days written before it have none).</summary>
public sealed record TaskStatsView(
    string Name, string Bucket, IReadOnlyList<FiguresView> Series, RegressionView Regression,
    IReadOnlyList<BreakdownView> Queues, IReadOnlyList<BreakdownView> WorkerGroups)
{
    /// <summary>Queues beyond the <see cref="InsightsApi.MaxBreakdown"/> with the most runs, not listed.</summary>
    public long QueuesOmitted { get; init; }

    /// <summary>Worker groups beyond the <see cref="InsightsApi.MaxBreakdown"/> with the most runs, not listed.</summary>
    public long WorkerGroupsOmitted { get; init; }
}

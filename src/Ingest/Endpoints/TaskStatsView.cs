namespace Ingest.Endpoints;

/// <summary>A task's series and verdict, with the range's figures by queue and by worker group (the facet rollup's; days written before it have none).</summary>
public sealed record TaskStatsView(
    string Name, string Bucket, IReadOnlyList<FiguresView> Series, RegressionView Regression,
    IReadOnlyList<BreakdownView> Queues, IReadOnlyList<BreakdownView> WorkerGroups)
{
    /// <summary>Start of the range the series covers (on a minute, or its hour where rounded).</summary>
    public string From { get; init; } = "";

    /// <summary>End of the range, exclusive.</summary>
    public string To { get; init; } = "";

    /// <summary>The series' bucket length in seconds.</summary>
    public int BucketSeconds { get; init; }

    /// <summary>The start was rounded back to its hour (its minutes are not kept).</summary>
    public bool RoundedStart { get; init; }

    /// <summary>The end was rounded on to its hour's end.</summary>
    public bool RoundedEnd { get; init; }

    /// <summary>Queues beyond the <see cref="InsightsApi.MaxBreakdown"/> with the most runs, not listed.</summary>
    public long QueuesOmitted { get; init; }

    /// <summary>Worker groups beyond the <see cref="InsightsApi.MaxBreakdown"/> with the most runs, not listed.</summary>
    public long WorkerGroupsOmitted { get; init; }
}

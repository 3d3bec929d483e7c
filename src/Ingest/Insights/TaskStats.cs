
namespace Ingest.Insights;

/// <summary>One task's series (buckets of <paramref name="BucketSeconds"/>), verdict, and figures by queue and worker group.</summary>
public sealed record TaskStats(string Name, int BucketSeconds, IReadOnlyList<Window> Series, RegressionVerdict Regression, bool Known)
{
    /// <summary>The range's figures by queue (facet rollup), most runs first.</summary>
    public IReadOnlyList<(string Key, Window Figures)> Queues { get; init; } = [];

    /// <summary>The range's figures by worker group (facet rollup), most runs first.</summary>
    public IReadOnlyList<(string Key, Window Figures)> WorkerGroups { get; init; } = [];
}

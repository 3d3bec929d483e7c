
namespace Ingest.Insights;

public sealed record TaskStats(string Name, int BucketHours, IReadOnlyList<Window> Series, RegressionVerdict Regression, bool Known)
{
    /// <summary>The range's figures by queue (facet rollup), most runs first.</summary>
    public IReadOnlyList<(string Key, Window Figures)> Queues { get; init; } = [];

    /// <summary>The range's figures by worker group (facet rollup), most runs first.</summary>
    public IReadOnlyList<(string Key, Window Figures)> WorkerGroups { get; init; } = [];
}

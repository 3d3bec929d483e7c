namespace Ingest.Endpoints;

public sealed record FailureListView(string Since, string Until, IReadOnlyList<FailureGroupView> Groups)
{
    /// <summary>The next page's cursor (groups with fewer failures), or null on the last page.</summary>
    public string? NextCursor { get; init; }

    /// <summary>Groups with failures in the range, on every page together.</summary>
    public long TotalGroups { get; init; }
}

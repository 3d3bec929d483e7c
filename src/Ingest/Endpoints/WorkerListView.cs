namespace Ingest.Endpoints;

public sealed record WorkerListView(IReadOnlyList<WorkerView> Items)
{
    /// <summary>The next page's cursor (workers after the last one here, by name), or null on the last page.</summary>
    public string? NextCursor { get; init; }

    /// <summary>Workers known, on every page together.</summary>
    public long Total { get; init; }
}

namespace Ingest.Storage.Reading;

/// <summary>One page of invocations, newest first, and the cursor of the next page (null on the last one).</summary>
public sealed record InvocationPage(IReadOnlyList<InvocationRecord> Items, PageCursor? NextCursor)
{
    /// <summary>
    /// For a value search: sources that could not be searched (a day written with the search index off, or
    /// legacy history still being indexed), so an empty answer is never mistaken for "not there".
    /// </summary>
    public IReadOnlyList<string> Unsearched { get; init; } = [];
}

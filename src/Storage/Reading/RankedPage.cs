namespace Ingest.Storage.Reading;

/// <summary>One page of a ranking computed in SQL: its items, how many there are in all, and whether more follow.</summary>
/// <param name="Items">At most the page's limit, in rank order.</param>
/// <param name="Total">Items in the whole ranking, not only this page (0 on a page past its end).</param>
/// <param name="HasMore">Whether a further page holds more.</param>
public sealed record RankedPage<T>(IReadOnlyList<T> Items, long Total, bool HasMore);

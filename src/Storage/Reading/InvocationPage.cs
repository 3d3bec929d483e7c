namespace Ingest.Storage.Reading;

/// <summary>One page of invocations, newest first, and the cursor of the next page (null on the last one).</summary>
public sealed record InvocationPage(IReadOnlyList<InvocationRecord> Items, PageCursor? NextCursor);

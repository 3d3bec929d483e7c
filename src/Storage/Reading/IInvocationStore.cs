namespace Ingest.Storage.Reading;

/// <summary>
/// What the API reads of stored invocations, whichever store holds them (issue 26): SQLite's
/// <see cref="InvocationReader"/> or ClickHouse's reader. Both pass one contract test suite unchanged.
/// </summary>
public interface IInvocationStore
{
    /// <summary>The task id's invocation, merged from every row any instance stored of it; null when none.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The name InvocationReader has always had; no VB implementers.")]
    InvocationRecord? Get(string taskId);

    /// <summary>
    /// A page of invocations, newest state time first, one per task id, filtered by <paramref name="query"/>; a
    /// cursor when more follow. Throws <see cref="ArgumentException"/> for a search text the store cannot take.
    /// </summary>
    InvocationPage List(InvocationQuery query);
}

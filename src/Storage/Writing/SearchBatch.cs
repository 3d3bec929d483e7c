using Ingest.Storage.Partitions;

namespace Ingest.Storage.Writing;

/// <summary>
/// The full-text index writes of one batch, held until the batch's rows and rollups are written and then
/// applied just before commit: every delete first, then every insert, each in rowid order.
/// </summary>
/// <remarks>
/// FTS5 keeps a transaction's new terms in memory and writes them out as one segment, unless something forces
/// it to write early: a rowid lower than the last one, a switch between delete and insert, or a statement
/// savepoint (any statement that may need a partial rollback, which includes every statement that fires a
/// trigger). Indexing by trigger, or row by row between the upserts, wrote one segment per row and then merged
/// them: the flush ran at a third of its rate. Collected here, a batch writes one segment per day.
/// </remarks>
internal sealed class SearchBatch
{
    private readonly Dictionary<DateOnly, SortedDictionary<long, SearchEntry>> _days = [];

    /// <summary>The days this batch indexes, and their entries in rowid order.</summary>
    public IEnumerable<KeyValuePair<DateOnly, SortedDictionary<long, SearchEntry>>> Days => _days;

    /// <summary>A new row's text (nothing is indexed under its rowid yet).</summary>
    public void Added(DayPartition day, long id, string? args, string? kwargs, string? result) =>
        Entries(day)[id] = new SearchEntry(ReplacesIndexed: false, args, kwargs, result);

    /// <summary>A merged row's text, which replaces what is indexed under its rowid (if this batch did not add it).</summary>
    public void Replaced(DayPartition day, long id, string? args, string? kwargs, string? result)
    {
        var entries = Entries(day);
        var replaces = !entries.TryGetValue(id, out var earlier) || earlier.ReplacesIndexed;
        entries[id] = new SearchEntry(replaces, args, kwargs, result);
    }

    public void Clear() => _days.Clear();

    private SortedDictionary<long, SearchEntry> Entries(DayPartition day)
    {
        if (!_days.TryGetValue(day.Day, out var entries))
        {
            entries = [];
            _days.Add(day.Day, entries);
        }

        return entries;
    }
}

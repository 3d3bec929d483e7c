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
/// New rows arrive in rowid order (the insert takes the next rowid), so each day's entries are a list kept in
/// arrival order, sorted only if a merge put an older rowid after a newer one, with an index by rowid for the
/// merges: a SortedDictionary's node per row was a fifth of the flush thread's search time (issue 29's profile).
/// The lists and indexes are kept across batches, so a steady flush allocates nothing here.
/// </remarks>
internal sealed class SearchBatch
{
    /// <summary>Days whose lists are kept between batches; a batch rarely spans more than today and yesterday.</summary>
    private const int KeptDays = DayStatements.CacheDays;

    private readonly Dictionary<DateOnly, DayEntries> _days = [];

    /// <summary>The days this batch indexes, and their entries in rowid order.</summary>
    public IEnumerable<(DateOnly Day, List<(long Id, SearchEntry Entry)> Entries)> Days
    {
        get
        {
            foreach (var (day, entries) in _days)
            {
                if (entries.Count > 0)
                {
                    yield return (day, entries.InRowidOrder());
                }
            }
        }
    }

    /// <summary>A new row's text (nothing is indexed under its rowid yet).</summary>
    public void Added(DayPartition day, long id, object? args, object? kwargs, object? result) =>
        Entries(day).Set(id, new SearchEntry(ReplacesIndexed: false, args, kwargs, result));

    /// <summary>A merged row's text, which replaces what is indexed under its rowid (if this batch did not add it).</summary>
    public void Replaced(DayPartition day, long id, string? args, string? kwargs, object? result)
    {
        var entries = Entries(day);
        var replaces = !entries.TryGet(id, out var earlier) || earlier.ReplacesIndexed;
        entries.Set(id, new SearchEntry(replaces, args, kwargs, result));
    }

    public void Clear()
    {
        if (_days.Count > KeptDays)
        {
            _days.Clear(); // a batch of many days (a replay of old captures) does not keep its lists
            return;
        }

        foreach (var entries in _days.Values)
        {
            entries.Clear();
        }
    }

    private DayEntries Entries(DayPartition day)
    {
        if (!_days.TryGetValue(day.Day, out var entries))
        {
            entries = new DayEntries();
            _days.Add(day.Day, entries);
        }

        return entries;
    }

    /// <summary>One day's entries in arrival order, with where each rowid is.</summary>
    private sealed class DayEntries
    {
        private readonly List<(long Id, SearchEntry Entry)> _list = [];
        private readonly Dictionary<long, int> _at = [];
        private bool _sorted = true;

        public int Count => _list.Count;

        public bool TryGet(long id, out SearchEntry entry)
        {
            if (_at.TryGetValue(id, out var at))
            {
                entry = _list[at].Entry;
                return true;
            }

            entry = default;
            return false;
        }

        public void Set(long id, SearchEntry entry)
        {
            if (_at.TryGetValue(id, out var at))
            {
                _list[at] = (id, entry);
                return;
            }

            if (_list.Count > 0 && id < _list[^1].Id)
            {
                _sorted = false;
            }

            _at.Add(id, _list.Count);
            _list.Add((id, entry));
        }

        public List<(long Id, SearchEntry Entry)> InRowidOrder()
        {
            if (!_sorted)
            {
                _list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
                _sorted = true; // the index is not used again before Clear: the batch is being written
            }

            return _list;
        }

        public void Clear()
        {
            _list.Clear();
            _at.Clear();
            _sorted = true;
        }
    }
}

namespace Ingest.Tracking;

/// <summary>
/// The map's entries in last-update order, oldest first, linked through the entries themselves: a
/// <see cref="LinkedList{T}"/> made a node object per task, one more object per tracked task for the collector to
/// promote into gen2 (41,578 of them alive 9 s into a replay, pipeline-gc-profile.md; issue 29). Not thread-safe:
/// used under the tracker's lock, and not changed while it is enumerated.
/// </summary>
internal sealed class TrackedEntryList : IEnumerable<TrackedEntry>
{
    private TrackedEntry? _last;

    /// <summary>The least recently updated entry, or null when empty.</summary>
    public TrackedEntry? First { get; private set; }

    /// <summary>Entries in the list.</summary>
    public int Count { get; private set; }

    /// <summary>Adds an entry that is in no list as the most recently updated.</summary>
    public void AddLast(TrackedEntry entry)
    {
        if (entry.List is not null)
        {
            throw new InvalidOperationException($"task {entry.TaskId} is in a list already");
        }

        entry.List = this;
        entry.Previous = _last;
        entry.Next = null;
        if (_last is null)
        {
            First = entry;
        }
        else
        {
            _last.Next = entry;
        }

        _last = entry;
        Count++;
    }

    /// <summary>Takes an entry of this list out of it.</summary>
    public void Remove(TrackedEntry entry)
    {
        if (!ReferenceEquals(entry.List, this))
        {
            throw new InvalidOperationException($"task {entry.TaskId} is not in this list");
        }

        if (entry.Previous is null)
        {
            First = entry.Next;
        }
        else
        {
            entry.Previous.Next = entry.Next;
        }

        if (entry.Next is null)
        {
            _last = entry.Previous;
        }
        else
        {
            entry.Next.Previous = entry.Previous;
        }

        entry.List = null;
        entry.Previous = null;
        entry.Next = null;
        Count--;
    }

    /// <summary>Empties the list; every entry is in no list after it.</summary>
    public void Clear()
    {
        while (First is { } first)
        {
            Remove(first);
        }
    }

    /// <summary>The entries, oldest first.</summary>
    public IEnumerator<TrackedEntry> GetEnumerator()
    {
        for (var entry = First; entry is not null; entry = entry.Next)
        {
            yield return entry;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

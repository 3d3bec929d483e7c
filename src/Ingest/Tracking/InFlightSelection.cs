using Ingest.Storage;

namespace Ingest.Tracking;

/// <summary>
/// The first few in-flight tasks in list order, from a walk of the tracker's map that keeps only those (a bounded
/// heap of <c>take</c>): a request costs one pass over the map and records for the page alone, never a copy of the
/// map (issue 25). Not thread-safe: called under the tracker's lock.
/// </summary>
internal static class InFlightSelection
{
    /// <summary>
    /// The first <paramref name="take"/> tasks that <paramref name="match"/> accepts, in list order: newest state
    /// time first (ties by task id descending, as the stored pages), or oldest first for "by age".
    /// </summary>
    public static List<InvocationRecord> Top(IEnumerable<TrackedEntry> inFlight, Func<TaskMerge, bool> match, bool newestFirst, int take)
    {
        // The heap's head is the task that comes last in list order, so it is the one to drop when a better one comes.
        var sign = newestFirst ? 1 : -1;
        var lastFirst = Comparer<(double At, string Id)>.Create((a, b) =>
        {
            var c = a.At.CompareTo(b.At);
            return sign * (c != 0 ? c : string.CompareOrdinal(a.Id, b.Id));
        });
        var heap = new PriorityQueue<TaskMerge, (double At, string Id)>(lastFirst);
        foreach (var entry in inFlight)
        {
            var merge = entry.Merge;
            if (take <= 0 || !match(merge))
            {
                continue;
            }

            var key = (merge.StateAt, merge.TaskId);
            if (heap.Count < take)
            {
                heap.Enqueue(merge, key);
            }
            else if (heap.TryPeek(out _, out var worst) && lastFirst.Compare(key, worst) > 0)
            {
                heap.DequeueEnqueue(merge, key);
            }
        }

        var records = new List<InvocationRecord>(heap.Count);
        while (heap.TryDequeue(out var merge, out _))
        {
            records.Add(merge.ToRecord());
        }

        records.Reverse();
        return records;
    }

    /// <summary>How many tasks <paramref name="match"/> accepts, by the key <paramref name="classify"/> gives each.</summary>
    public static Dictionary<string, int> Count(IEnumerable<TrackedEntry> inFlight, Func<TaskMerge, bool> match, Func<TaskMerge, string> classify)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in inFlight)
        {
            if (match(entry.Merge))
            {
                var key = classify(entry.Merge);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts;
    }
}

using Ingest.Storage;
using Ingest.Storage.Reading;
using Ingest.Tracking;

namespace Ingest.Endpoints;

/// <summary>
/// One page of runs from two places (issue 25): the stored page, and the tracker's in-flight runs that pass the same
/// filters after the same cursor. A run the tracker holds unfinished is shown from the tracker only: its stored row,
/// if any (written early, kept over a restart, a retry), is an older state at another place in the order, and showing
/// both would list it twice across pages. Pure, so the paging rules are tested without a server.
/// </summary>
public static class LivePageMerge
{
    /// <summary>A run of the merged page, and whether it came from the tracker.</summary>
    public readonly record struct Row(InvocationRecord Record, bool InFlight);

    /// <summary>
    /// The merged page, newest first, at most <paramref name="limit"/> rows, and the cursor that continues it.
    /// </summary>
    /// <param name="stored">The stored page for the request.</param>
    /// <param name="tracked">In-flight runs passing the filters after the request's cursor, newest first: at least
    /// <paramref name="limit"/> + 1 of them when there are that many.</param>
    /// <param name="trackedAmongStored">Which of the stored page's task ids the tracker holds unfinished.</param>
    /// <param name="limit">The page size.</param>
    public static (List<Row> Rows, PageCursor? Next) Merge(InvocationPage stored, IReadOnlyList<InvocationRecord> tracked, IReadOnlySet<string> trackedAmongStored, int limit)
    {
        var rows = new List<Row>(Math.Min(limit + 1, stored.Items.Count + tracked.Count));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in tracked)
        {
            // Past the stored page's end, a tracked run belongs to a later page: the next cursor starts there.
            if (stored.NextCursor is { } end && !Precedes(r, end))
            {
                continue;
            }

            if (seen.Add(r.TaskId))
            {
                rows.Add(new Row(r, true));
            }
        }

        foreach (var r in stored.Items)
        {
            if (!trackedAmongStored.Contains(r.TaskId) && seen.Add(r.TaskId))
            {
                rows.Add(new Row(r, false));
            }
        }

        rows.Sort((a, b) => Order(b.Record, a.Record));
        if (rows.Count > limit)
        {
            rows.RemoveRange(limit, rows.Count - limit);
            return (rows, CursorAt(rows[^1].Record));
        }

        return (rows, stored.NextCursor);
    }

    /// <summary>The cursor that continues after <paramref name="r"/>.</summary>
    public static PageCursor CursorAt(InvocationRecord r) => new(r.StateAt, r.TaskId);

    // Ascending (state time, task id): the lists show the reverse.
    private static int Order(InvocationRecord a, InvocationRecord b)
    {
        var c = a.StateAt.CompareTo(b.StateAt);
        return c != 0 ? c : string.CompareOrdinal(a.TaskId, b.TaskId);
    }

    // True when r comes before the cursor's row in newest-first order.
    private static bool Precedes(InvocationRecord r, PageCursor cursor) =>
        r.StateAt > cursor.StateAt || (r.StateAt == cursor.StateAt && string.CompareOrdinal(r.TaskId, cursor.TaskId) > 0);
}

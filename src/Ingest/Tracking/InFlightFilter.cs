using Ingest.Storage.Reading;

namespace Ingest.Tracking;

/// <summary>
/// A list request's filters applied to the tracker's in-flight tasks (issue 25), with the meaning the stored rows
/// give them: exact name, worker, queue, state and exception type; the name substring, case-insensitive; the range on
/// the state time; the page's keyset position; the value search on args and kwargs, phrase by phrase as the index
/// matches. Checks the merge's own fields first, so most tasks are turned away without building a record.
/// </summary>
public sealed class InFlightFilter
{
    private readonly InvocationQuery _query;
    private readonly IReadOnlyList<string[]>? _phrases;

    /// <param name="query">The filters, as the stored list takes them (its limit is the caller's).</param>
    public InFlightFilter(InvocationQuery query)
    {
        _query = query;
        _phrases = query.Text is { } text ? SearchText.Phrases(text) : null;
    }

    /// <summary>Whether the task passes every filter the query sets.</summary>
    public bool Matches(TaskMerge m)
    {
        var q = _query;
        if ((q.Name is not null && !string.Equals(m.Name, q.Name, StringComparison.Ordinal))
            || (q.NameContains is not null && m.Name?.Contains(q.NameContains, StringComparison.OrdinalIgnoreCase) != true)
            || (q.State is not null && m.State != q.State)
            || (q.Worker is not null && !string.Equals(m.Worker, q.Worker, StringComparison.Ordinal))
            || (q.Queue is not null && !string.Equals(m.Queue, q.Queue, StringComparison.Ordinal)))
        {
            return false;
        }

        var at = m.StateAt;
        if ((q.Since is { } since && at < since) || (q.Until is { } until && at >= until) || (q.After is { } after && !IsAfter(at, m.TaskId, after)))
        {
            return false;
        }

        // A retrying task carries the exception it retries for; the rest have none, so this rarely builds a record.
        if (q.ExceptionType is not null && m.ToRecord().ExceptionType != q.ExceptionType)
        {
            return false;
        }

        return _phrases is null || SearchText.Matches(_phrases, m.Args, m.Kwargs);
    }

    /// <summary>True when (at, id) comes after the cursor in newest-first order, as the stored pages' keyset says.</summary>
    public static bool IsAfter(double at, string taskId, PageCursor cursor) =>
        at < cursor.StateAt || (at == cursor.StateAt && string.CompareOrdinal(taskId, cursor.TaskId) < 0);
}

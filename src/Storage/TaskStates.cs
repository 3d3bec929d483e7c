namespace Ingest.Storage;

/// <summary>Celery's state names, as stored and served.</summary>
public static class TaskStates
{
    public const string Pending = "PENDING";
    public const string Received = "RECEIVED";
    public const string Started = "STARTED";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
    public const string Retry = "RETRY";
    public const string Revoked = "REVOKED";
    public const string Rejected = "REJECTED";

    public static IReadOnlyList<string> All { get; } = [Pending, Received, Started, Success, Failure, Retry, Revoked, Rejected];

    /// <summary>States after which the task will run no more (RETRY is not one: another attempt follows).</summary>
    public static bool IsReady(string state) =>
        state is Success or Failure or Revoked or Rejected;

    public static bool IsKnown(string state) => IndexOf(state) >= 0;

    /// <summary>Position in <see cref="All"/> (the order rollups store counts in), or -1 for an unknown state.</summary>
    public static int IndexOf(string state)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], state, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Class name from a Python exception repr: <c>ValueError('x')</c> → <c>ValueError</c>,
    /// <c>&lt;MaybeEncodingError: ...&gt;</c> → <c>MaybeEncodingError</c>. Null when the text has no such prefix.
    /// When Celery wrapped the exception (a hard time limit arrives as <c>ExceptionWithTraceback()</c>), the class is
    /// the one the traceback's last line names: grouped by the wrapper, every hard time limit and every other
    /// wrapped error were one failure type (issue 25).
    /// </summary>
    /// <param name="exception">The event's exception repr.</param>
    /// <param name="traceback">The event's traceback, read only when the exception is a wrapper.</param>
    public static string? ExceptionTypeOf(string? exception, string? traceback = null) =>
        IsWrapper(ReprType(exception)) && LastLineType(traceback) is { } raised ? raised : ReprType(exception);

    /// <summary>
    /// The words of an exception: its repr, or, when Celery wrapped it, the traceback's last line
    /// (<c>billiard.exceptions.TimeLimitExceeded: TimeLimitExceeded(1,)</c>), since the wrapper's repr says nothing.
    /// </summary>
    /// <param name="exception">The event's exception repr.</param>
    /// <param name="traceback">The event's traceback.</param>
    public static string? ExceptionMessageOf(string? exception, string? traceback) =>
        IsWrapper(ReprType(exception)) && LastLineType(traceback) is not null ? LastLine(traceback!) : exception;

    private static bool IsWrapper(string? type) => type is "ExceptionWithTraceback" or "billiard.einfo.ExceptionWithTraceback";

    private static string LastLine(string traceback)
    {
        var last = traceback.AsSpan().TrimEnd();
        return last[(last.LastIndexOf('\n') + 1)..].Trim().ToString();
    }

    /// <summary>
    /// The class a Python traceback's last line names, without its module: <c>billiard.exceptions.TimeLimitExceeded:
    /// TimeLimitExceeded(1,)</c> → <c>TimeLimitExceeded</c>. Null when the last line is not <c>Class</c> or <c>Class: ...</c>.
    /// </summary>
    private static string? LastLineType(string? traceback)
    {
        if (string.IsNullOrWhiteSpace(traceback))
        {
            return null;
        }

        var last = LastLine(traceback).AsSpan();
        var colon = last.IndexOf(':');
        var name = colon >= 0 ? last[..colon] : last;
        if (name.IsEmpty || name.Length > 200 || !IsDottedName(name))
        {
            return null;
        }

        return name[(name.LastIndexOf('.') + 1)..].ToString();
    }

    private static bool IsDottedName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c) && c is not '_' and not '.')
            {
                return false;
            }
        }

        return name[^1] != '.';
    }

    private static string? ReprType(string? exception)
    {
        if (string.IsNullOrEmpty(exception))
        {
            return null;
        }

        var span = exception.AsSpan();
        if (span[0] == '<')
        {
            span = span[1..];
        }

        var end = 0;
        while (end < span.Length && end < 200 && (char.IsLetterOrDigit(span[end]) || span[end] is '_' or '.'))
        {
            end++;
        }

        return end == 0 ? null : span[..end].ToString();
    }
}

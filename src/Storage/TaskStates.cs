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
    /// </summary>
    public static string? ExceptionTypeOf(string? exception)
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

namespace Ingest.Storage.Reading;

/// <summary>A page request over stored invocations, newest first. Every filter is optional.</summary>
public sealed record InvocationQuery
{
    public const int MaxLimit = 1000;

    /// <summary>The task's name, exactly (the task page's runs).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Text the task's name contains, ASCII case-insensitive (issue 25: <c>name:import</c> finds
    /// <c>shop.tasks.import_orders</c>); every character is taken literally, <c>%</c>, <c>_</c> and NUL included.
    /// </summary>
    public string? NameContains { get; init; }

    public string? State { get; init; }
    public string? Worker { get; init; }

    /// <summary>The queue the task was sent to (from task-sent or task-received).</summary>
    public string? Queue { get; init; }

    /// <summary>The exception's class name (<c>ValueError</c>), as the failures page groups by.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Only invocations whose state time is at or after this (Unix seconds).</summary>
    public double? Since { get; init; }

    /// <summary>Only invocations whose state time is before this (Unix seconds).</summary>
    public double? Until { get; init; }

    /// <summary>
    /// A value to find in args, kwargs or result, as typed (see <see cref="SearchText"/>); answered from each
    /// day's full-text index, never by scanning rows.
    /// </summary>
    public string? Text { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/>. Default 50.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>
    /// Most characters of text one page holds (args, kwargs, result, traceback and the rest); the row that reaches it
    /// ends the page early, with a cursor. Default 4 Mi: a page's answer stays a few MiB whatever its limit.
    /// </summary>
    public long MaxChars { get; init; } = DefaultMaxChars;

    /// <summary>The default of <see cref="MaxChars"/>.</summary>
    public const long DefaultMaxChars = 4L * 1024 * 1024;

    /// <summary>Where the previous page ended, from <see cref="InvocationPage.NextCursor"/>.</summary>
    public PageCursor? After { get; init; }
}

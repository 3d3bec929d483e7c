namespace Ingest.Storage.Reading;

/// <summary>A page request over stored invocations, newest first. Every filter is optional.</summary>
public sealed record InvocationQuery
{
    public const int MaxLimit = 1000;

    public string? Name { get; init; }
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

    /// <summary>Where the previous page ended, from <see cref="InvocationPage.NextCursor"/>.</summary>
    public PageCursor? After { get; init; }
}

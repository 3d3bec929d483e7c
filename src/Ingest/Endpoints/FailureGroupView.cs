using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>
/// One failure group: a task and an exception type, counted over the range, with the newest example's message so the
/// list says what went wrong, not only its class (issue 25).
/// </summary>
public sealed record FailureGroupView(string Name, string ExceptionType, long Count, string? FirstSeen, string? LastSeen, string? ExampleTaskId)
{
    /// <summary>The longest message kept per group: the invocation page has the whole text.</summary>
    public const int MaxMessageChars = 500;

    /// <summary>The newest example's exception repr, clipped to <see cref="MaxMessageChars"/>; null when it is gone or had none.</summary>
    public string? ExceptionMessage { get; init; }

    /// <summary><paramref name="exception"/> clipped to <see cref="MaxMessageChars"/>.</summary>
    public static string? Clip(string? exception) =>
        exception is { Length: > MaxMessageChars } ? string.Concat(exception.AsSpan(0, MaxMessageChars), "…") : exception;
}

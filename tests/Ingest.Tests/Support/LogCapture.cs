using Ingest.Accounting;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ingest.Tests.Support;

/// <summary>
/// A logger provider that keeps every line it is given, for tests that assert what was logged: pass it as a
/// logger (<see cref="CreateLogger"/>), or add it to a host's services as an <see cref="ILoggerProvider"/>.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    /// <summary>Every line so far, in order.</summary>
    public IReadOnlyList<Line> Lines => [.. _lines];

    /// <summary>The lines with event id <paramref name="eventId"/>.</summary>
    public IReadOnlyList<Line> WithId(int eventId) => [.. _lines.Where(l => l.EventId == eventId)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>One line kept.</summary>
    public sealed record Line(string Category, LogLevel Level, int EventId, string Message);

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue(new Line(category, logLevel, eventId.Id, formatter(state, exception)));
    }
}

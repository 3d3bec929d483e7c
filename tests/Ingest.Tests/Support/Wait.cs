using System.Runtime.CompilerServices;

namespace Ingest.Tests.Support;

/// <summary>Deadline-bound waits that say what they were waiting for (no bare sleeps in tests).</summary>
public static class Wait
{
    public static TimeSpan Default { get; } = TimeSpan.FromSeconds(Environment.GetEnvironmentVariable("CI") is null ? 20 : 60);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout, file, line);

    /// <summary>As <see cref="UntilAsync(Func{bool}, string, TimeSpan?, string, int)"/>, for a condition that must be awaited (a scrape, a query).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        // A deadline on the monotonic clock: never the data's time, and unmoved by the calendar (faketime).
        var limit = timeout ?? Default;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > limit && !await condition())
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:F0} s waiting for {what} ({Path.GetFileName(file)}:{line})");
            }

            await Task.Delay(10);
        }
    }

    public static async Task<T> ForAsync<T>(Task<T> task, string what, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what} ({Path.GetFileName(file)}:{line})");
        }
    }

    public static async Task ForAsync(Task task, string what, TimeSpan? timeout = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what} ({Path.GetFileName(file)}:{line})");
        }
    }
}

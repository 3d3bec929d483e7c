using System.Globalization;

namespace Ingest.Storage.Reading;

/// <summary>A read that ran past <see cref="ReadOptions.StatementTimeLimit"/> and was interrupted.</summary>
/// <param name="limit">The limit the read ran past.</param>
/// <param name="interrupt">SQLite's interrupt.</param>
public sealed class ReadTimeLimitExceededException(TimeSpan limit, Exception? interrupt)
    : TimeoutException($"the query ran past its time limit ({Describe(limit)}); narrow the range", interrupt)
{
    /// <summary>The limit the read ran past.</summary>
    public TimeSpan Limit { get; } = limit;

    /// <summary>A limit in words: <c>10 s</c>, <c>0.2 s</c>.</summary>
    public static string Describe(TimeSpan limit) => limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}

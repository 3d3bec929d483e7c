using System.ComponentModel.DataAnnotations;

namespace Ingest.Storage.Reading;

/// <summary>How long a read may run on SQLite. Section <c>Ingest:Reads</c>.</summary>
public sealed class ReadOptions
{
    /// <summary>
    /// A read still running after this long is interrupted, and the API answers 503 asking for a narrower range.
    /// Default 10 s, range 10 ms to 10 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:10:00")]
    public TimeSpan StatementTimeLimit { get; set; } = TimeSpan.FromSeconds(10);
}

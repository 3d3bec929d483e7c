using System.ComponentModel.DataAnnotations;

namespace Ingest.Storage;

/// <summary>Where and how the SQLite file is opened.</summary>
public sealed class StorageOptions
{
    /// <summary>Where the database is when no path is given: <c>data/ingest.db</c>, relative to the working directory.</summary>
    public const string DefaultDatabasePath = "data/ingest.db";

    /// <summary>Path of the SQLite file. Default <c>data/ingest.db</c>; its folder is created if missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DatabasePath { get; set; } = "data/ingest.db";

    /// <summary>
    /// How long one statement waits for a lock held by another connection before failing. Default 5 s, range 0.1 to 60 s.
    /// The writer is the only writer, so this only matters against an operator's own tools.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Page cache of the writer connection in KiB. Default 32768 (32 MiB), range 1024 to 1048576.</summary>
    [Range(1024, 1048576)]
    public int WriterCacheKiB { get; set; } = 32 * 1024;

    /// <summary>
    /// Keep a full-text index of args, kwargs and result per day, so <c>q=</c> finds a value in milliseconds.
    /// Costs flush time (see the benchmark); days written with it off cannot be searched by value.
    /// </summary>
    public bool SearchIndex { get; set; } = true;

    /// <summary>
    /// Whether new days' details are compressed with a zstd dictionary per day (issue 29; off with
    /// <c>--no-compress-details</c>). Default on: 676 -> 439 bytes an invocation on the spike capture, for 4-8 us of
    /// the producer's CPU per invocation and no wall time of a replay (core-share-2026-12-06.md). Read by the host when it registers the compression, which the channel and
    /// the writer then share.
    /// </summary>
    public bool CompressDetails { get; set; } = true;

    /// <summary>Distinct task names a day's rollups keep; runs of further names are counted under "(other)".</summary>
    [Range(10, 1_000_000)]
    public int MaxTaskNamesPerDay { get; set; } = 10_000;

    /// <summary>
    /// How worker names are grouped (see <see cref="WorkerGroups"/>): a regular expression whose first capture group
    /// is the group, e.g. <c>@(.+?)-\d+$</c>. Default (empty): Kubernetes pod and process suffixes are stripped.
    /// </summary>
    [RegexPattern]
    public string? WorkerGroupPattern { get; set; }

    /// <summary>Test hook: runs on the writer connection right after it opens, before anything else.</summary>
    internal Action<Microsoft.Data.Sqlite.SqliteConnection>? OnWriterOpen { get; set; }
}

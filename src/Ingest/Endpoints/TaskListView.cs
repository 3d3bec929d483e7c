namespace Ingest.Endpoints;

/// <summary>The task list over one range: its exact bounds (to the minute), bucket and facets say exactly what the figures cover.</summary>
public sealed record TaskListView(string GeneratedAt, string From, string To, string Bucket, string? Queue, string? WorkerGroup, IReadOnlyList<TaskSummaryView> Tasks)
{
    /// <summary>The next page's cursor (tasks with fewer runs), or null on the last page.</summary>
    public string? NextCursor { get; init; }

    /// <summary>The series' bucket length in seconds (60: minute buckets, read from the minute rollup).</summary>
    public int BucketSeconds { get; init; }

    /// <summary>The start was rounded back to its hour: that hour's minutes are not kept (older than 48 hours).</summary>
    public bool RoundedStart { get; init; }

    /// <summary>The end was rounded on to its hour's end, for the same reason.</summary>
    public bool RoundedEnd { get; init; }

    /// <summary>Tasks with runs in the range, on every page together.</summary>
    public long TotalTasks { get; init; }
}

namespace Ingest.Endpoints;

/// <summary>The task list over one range: its whole-hour bounds, bucket and facets say exactly what the figures cover.</summary>
public sealed record TaskListView(string GeneratedAt, string From, string To, string Bucket, string? Queue, string? WorkerGroup, IReadOnlyList<TaskSummaryView> Tasks)
{
    /// <summary>The next page's cursor (tasks with fewer runs), or null on the last page.</summary>
    public string? NextCursor { get; init; }

    /// <summary>Tasks with runs in the range, on every page together.</summary>
    public long TotalTasks { get; init; }
}

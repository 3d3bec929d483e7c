namespace Ingest.Storage.Rollups;

/// <summary>
/// What the console and the insights read of the rollups, whichever store holds them (issue 26): SQLite's
/// <see cref="RollupReader"/> or ClickHouse's reader. Rows come keyed as the writer keyed them; a key may come back
/// in several rows (several days' tables, several unmerged parts), and every caller adds them up.
/// </summary>
public interface IRollupStore
{
    /// <summary>Task-hour rows with <paramref name="since"/> &lt;= hour &lt; <paramref name="until"/> (Unix seconds), optionally for one name.</summary>
    IReadOnlyList<TaskHourRow> TaskHours(double since, double until, string? name = null);

    /// <summary>Task-hour rows of <paramref name="names"/> only: a page of tasks, read in one statement.</summary>
    IReadOnlyList<TaskHourRow> TaskHoursOf(double since, double until, IReadOnlyCollection<string> names);

    /// <summary>Facet rows (task, queue, worker group, hour) in the range, optionally for one name, queue or group.</summary>
    IReadOnlyList<GroupHourRow> GroupHours(double since, double until, string? name = null, string? queue = null, string? group = null);

    /// <summary>Facet rows of <paramref name="names"/> only, optionally for one queue or group.</summary>
    IReadOnlyList<GroupHourRow> GroupHoursOf(double since, double until, IReadOnlyCollection<string> names, string? queue = null, string? group = null);

    /// <summary>Minute rows (task, queue, worker group, minute) in the facet rows' shape: the last 48 hours only.</summary>
    IReadOnlyList<GroupHourRow> GroupMinutes(double since, double until, string? name = null, string? queue = null, string? group = null);

    /// <summary>Minute rows of <paramref name="names"/> only, optionally for one queue or group.</summary>
    IReadOnlyList<GroupHourRow> GroupMinutesOf(double since, double until, IReadOnlyCollection<string> names, string? queue = null, string? group = null);

    /// <summary>Whether the minute rollup holds every run the facet rollup counts in [<paramref name="hourFrom"/>, <paramref name="hourTo"/>).</summary>
    bool MinutesComplete(double hourFrom, double hourTo);

    /// <summary>Queue readings in the range, in buckets of <paramref name="bucketSeconds"/>, ordered by queue and bucket.</summary>
    IReadOnlyList<QueueLengthPoint> QueueLengths(double since, double until, long bucketSeconds, string? queue = null);

    /// <summary>Failure-hour rows in the range, optionally for one name; groups whose count fell to zero are left out.</summary>
    IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name = null);

    /// <summary>Failure-hour rows of one queue and/or worker group (the failures' facet rollup).</summary>
    IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name, string? queue, string? group);
}

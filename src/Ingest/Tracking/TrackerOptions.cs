using System.ComponentModel.DataAnnotations;

namespace Ingest.Tracking;

/// <summary>Bounds of the in-flight task map.</summary>
public sealed class TrackerOptions
{
    /// <summary>
    /// Most tasks tracked at once (in flight, plus recently finished ones kept for late events). Default 100000,
    /// range 100 to 10000000. Past it the least recently updated task is written with its last state and counted.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxTasks { get; set; } = 100_000;

    /// <summary>A task with no event for this long is written with its last state and counted. Default 1 h, range 1 s to 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a finished task stays tracked so that a late event (a task-sent that lost the race with the
    /// worker's batch) still merges into it and is written again. Default 10 s, range 0 to 10 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan FinishedLinger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a finished task waits out its linger frozen (its merge kept as snapshot bytes in a few reused chunks,
    /// <see cref="FrozenTaskStore"/>) rather than as live objects, which a high rate promoted into gen2 only to die
    /// there (issue 29). Default true; off only to measure the difference (<c>Ingest__Tracker__FreezeFinished=false</c>).
    /// </summary>
    public bool FreezeFinished { get; set; } = true;

    /// <summary>
    /// Finished tasks lingering before the next ones are frozen (<see cref="FreezeFinished"/>): a few hundred cost the
    /// collector nothing, and at a low rate the store's chunks would cost more than the objects. Default 1000.
    /// </summary>
    [Range(0, 10_000_000)]
    public int FreezeFinishedAbove { get; set; } = 1000;

    /// <summary>
    /// Whether each checkpoint also carries its unfinished tasks as invocations (issue 26). Set by <c>--clickhouse</c>,
    /// where any number of instances share the store: an instance killed after acknowledging a task's first events
    /// leaves them readable by the others, which see only the task's later events. Default false (SQLite: one
    /// process per file, whose restart restores its own checkpoint).
    /// </summary>
    public bool CheckpointRecords { get; set; }
}

using System.ComponentModel.DataAnnotations;

namespace Ingest.Pipeline;

/// <summary>The channel between the tracker and the flush loop, and the flush loop's pace.</summary>
public sealed class PipelineOptions
{
    /// <summary>Records the channel holds before it drops its oldest (counted). Default 100000, range 100 to 10000000.</summary>
    [Range(100, 10_000_000)]
    public int ChannelCapacity { get; set; } = 100_000;

    /// <summary>Most records written in one transaction. Default 2000, range 1 to 100000; at most the channel capacity.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 2000;

    /// <summary>How long a partial batch waits for more records before it is written. Default 200 ms, range 0 to 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// <c>/healthz</c> reports degraded when no batch has committed for this long while records wait (or records
    /// were dropped in that span). Default 30 s, range 1 s to 1 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StallThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the loop wakes when idle, to run maintenance and publish its state. Default 1 s, range 10 ms to 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan IdleTick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Budget for draining the channel at shutdown; must stay below the host's shutdown timeout. Default 20 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ShutdownDrainBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Memory budget in MiB for the text the tracker and the channel hold (args, kwargs, results, tracebacks, ids).
    /// Past three quarters of it the tracker writes its oldest in-flight tasks early; past all of it the channel
    /// drops its oldest records (counted as memory_budget), HTTP senders are told to retry, and /healthz says
    /// degraded. Default 80, range 16 to 65536: with it a serve process fed 19,200 unfinished tasks of 64 KB text
    /// peaked at 285-292 MiB resident (282-304 at 96; 321 at 128, over the 320 MiB it must stay under).
    /// </summary>
    [Range(16, 65_536)]
    public int MaxMemoryMb { get; set; } = 80;

    /// <summary><see cref="MaxMemoryMb"/> in bytes.</summary>
    public long MaxMemoryBytes => (long)MaxMemoryMb * 1024 * 1024;

    /// <summary>
    /// How often the flush loop checkpoints the tracker's unfinished tasks that changed (issue 13: a kill -9 made
    /// every task in flight a nameless row). Over AMQP a delivery is acknowledged once the commit that made its
    /// effects durable is done, so this is also the longest an ack waits when traffic is light. Default 1 s, range
    /// 0 (off: at most once across a crash, as before) to 1 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// At shutdown, keep the unfinished tasks in the checkpoint for the next start (they are also written with
    /// their last state). Default true; <c>replay</c> sets it false: a capture's unfinished tasks are history.
    /// </summary>
    public bool KeepInFlightAtShutdown { get; set; } = true;

    /// <summary>
    /// Most day partitions one batch creates; a record of a further new day waits for the next batch (issue 24: 2,000
    /// records on 2,000 new days made one batch of 243.6 s). Fewer when the last day's creation says they would take
    /// more than half the stall threshold; always at least one, so a backlog moves. Default 4, range 1 to 100.
    /// </summary>
    [Range(1, 100)]
    public int MaxNewDaysPerBatch { get; set; } = 4;

    /// <summary>
    /// The detail sample (issue 29): a task name running above this many runs a minute keeps the args, kwargs, result
    /// and traceback of about this many of its successes a minute (chosen by task id); failures, retries and slower
    /// tasks keep all theirs, and every run's row is stored. Default 0 (off: every run keeps its details), range 0 to
    /// 10000000.
    /// </summary>
    [Range(0, 10_000_000)]
    public int DetailSample { get; set; }

    /// <summary>
    /// How long the flush loop waits at start for a store that is not answering (ClickHouse starting beside Ingest,
    /// issue 26) before it gives up and /healthz says failing. Sources and the web server wait with it, so it stays
    /// inside a startup probe's budget. Default 30 s, range 0 to 5 min; SQLite never waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan StoreOpenWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Commit attempts of one batch before it is dropped (counted as write_failed). Default 5, range 1 to 100.</summary>
    [Range(1, 100)]
    public int MaxWriteAttempts { get; set; } = 5;
}

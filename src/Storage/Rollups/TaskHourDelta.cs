namespace Ingest.Storage.Rollups;

/// <summary>Count changes for one task and hour: by state, and the runtime histogram.</summary>
internal sealed class TaskHourDelta
{
    /// <summary>Counts in <see cref="TaskStates.All"/> order.</summary>
    public long[] States { get; } = new long[TaskStates.All.Count];

    public long Total { get; private set; }

    public long RuntimeCount { get; private set; }

    public double RuntimeSum { get; private set; }

    public HistogramDelta? Runtimes { get; private set; }

    public long QueueWaitCount { get; private set; }

    public double QueueWaitSum { get; private set; }

    /// <summary>Seconds from task-sent to task-received (the broker's queue).</summary>
    public HistogramDelta? QueueWaits { get; private set; }

    public long PickupCount { get; private set; }

    public double PickupSum { get; private set; }

    /// <summary>Seconds from task-received to task-started (waiting on the worker for a pool slot).</summary>
    public HistogramDelta? Pickups { get; private set; }

    /// <summary>The two waits, kept by the facet rollup only.</summary>
    public void AddWaits(RollupContribution c, int sign)
    {
        if (c.QueueWait is { } q)
        {
            QueueWaitCount += sign;
            QueueWaitSum += sign * q;
            (QueueWaits ??= new HistogramDelta()).Add(q, sign);
        }

        if (c.Pickup is { } w)
        {
            PickupCount += sign;
            PickupSum += sign * w;
            (Pickups ??= new HistogramDelta()).Add(w, sign);
        }
    }

    public void Add(RollupContribution c, int sign)
    {
        Total += sign;
        var index = TaskStates.IndexOf(c.State);
        if (index >= 0)
        {
            States[index] += sign;
        }

        if (c.RuntimeSeconds is { } runtime && double.IsFinite(runtime))
        {
            RuntimeCount += sign;
            RuntimeSum += sign * runtime;
            (Runtimes ??= new HistogramDelta()).Add(runtime, sign);
        }
    }
}

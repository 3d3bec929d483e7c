using Ingest.Storage;
using Ingest.Storage.Rollups;

namespace Ingest.Insights;

/// <summary>Hourly rollup rows added together over a window: counts by final state, failure rate, runtime percentiles.</summary>
public sealed class TaskFigures
{
    private readonly long[] _states = new long[TaskStates.All.Count];
    private readonly RuntimeHistogram _runtimes = new();
    private double _runtimeSum;
    private RuntimeHistogram? _queueWaits;
    private RuntimeHistogram? _pickups;

    public long Total { get; private set; }

    public long RuntimeCount { get; private set; }

    public long Count(string state) => TaskStates.IndexOf(state) is var i and >= 0 ? _states[i] : 0;

    public long Succeeded => Count(TaskStates.Success);

    public long Failed => Count(TaskStates.Failure);

    /// <summary>Failures over finished runs (SUCCESS + FAILURE); null when none finished.</summary>
    public double? FailureRate => Succeeded + Failed is var n && n > 0 ? (double)Failed / n : null;

    public double? P50 => Quantile(0.50);

    public double? P95 => Quantile(0.95);

    public double? P99 => Quantile(0.99);

    /// <summary>
    /// The runtime at quantile <paramref name="q"/> (0-1), as a latency objective names it; null when none ran. Where
    /// every run falls in one histogram bucket, their mean (exact for one run): a single 1.00 s run read p50 987 ms, its
    /// bucket's middle, on the task pages and 1.00 s on its own page (issue 25).
    /// </summary>
    public double? Quantile(double q) => _runtimes.InOneBucket && Mean is { } mean ? mean : _runtimes.Quantile(q);

    public double? Mean => RuntimeCount > 0 ? _runtimeSum / RuntimeCount : null;

    public void Add(TaskHourRow row)
    {
        Total += row.Total;
        for (var i = 0; i < _states.Length; i++)
        {
            _states[i] += row.States[i];
        }

        RuntimeCount += row.RuntimeCount;
        _runtimeSum += row.RuntimeSum;
        _runtimes.Add(row.Runtimes);
    }

    /// <summary>Seconds in the broker's queue (received - sent), from the facet rollup; null where it has no rows.</summary>
    public Waits? QueueWait => _queueWaits is { Count: > 0 } h ? new Waits(h.Count, QueueWaitSum / h.Count, h.Quantile(0.5), h.Quantile(0.95), h.Quantile(0.99)) : null;

    /// <summary>Seconds on the worker before a slot ran it (started - received).</summary>
    public Waits? Pickup => _pickups is { Count: > 0 } h ? new Waits(h.Count, PickupSum / h.Count, h.Quantile(0.5), h.Quantile(0.95), h.Quantile(0.99)) : null;

    private double QueueWaitSum { get; set; }

    private double PickupSum { get; set; }

    /// <summary>The waits of one facet row (its counts are added separately, from whichever rollup the window reads).</summary>
    public void AddWaits(GroupHourRow row)
    {
        if (row.QueueWaitCount != 0)
        {
            (_queueWaits ??= new RuntimeHistogram()).Add(row.QueueWaits);
            QueueWaitSum += row.QueueWaitSum;
        }

        if (row.PickupCount != 0)
        {
            (_pickups ??= new RuntimeHistogram()).Add(row.Pickups);
            PickupSum += row.PickupSum;
        }
    }

    public IReadOnlyDictionary<string, long> States()
    {
        var states = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i] != 0)
            {
                states[TaskStates.All[i]] = _states[i];
            }
        }

        return states;
    }
}

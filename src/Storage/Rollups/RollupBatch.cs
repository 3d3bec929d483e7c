using System.Runtime.InteropServices;
using Ingest.Storage.Partitions;

namespace Ingest.Storage.Rollups;

/// <summary>
/// The rollup changes of one write batch, summed in memory by (day, task, hour) and written as one upsert per
/// key inside the batch's transaction, so rollups and rows commit or roll back together. A stored row that is
/// replaced by a newer version is taken back (sign -1) before the new version is added, so every task id
/// counts once, in its latest state. Holds at most one entry per record of the batch.
/// </summary>
internal sealed class RollupBatch
{
    private readonly Dictionary<(DateOnly Day, string Name, long Hour), TaskHourDelta> _tasks = [];
    private readonly Dictionary<(DateOnly Day, string Name, string ExceptionType, long Hour), FailureHourDelta> _failures = [];
    private readonly Dictionary<(DateOnly Day, string Name, string Queue, string Group, long Hour), TaskHourDelta> _groups = [];
    private readonly Dictionary<(DateOnly Day, string Name, string ExceptionType, string Queue, string Group, long Hour), FailureHourDelta> _failureGroups = [];
    private readonly Dictionary<(DateOnly Day, string Name, string Queue, string Group, long Minute), TaskHourDelta> _minutes = [];

    /// <summary>
    /// Records timed at or after this (Unix seconds) are also counted per minute: the minute rollup keeps the last
    /// 48 hours, so an older record (a replayed capture, a late event) writes none. None by default.
    /// </summary>
    public double MinutesFrom { get; set; } = double.PositiveInfinity;

    public IEnumerable<KeyValuePair<(DateOnly Day, string Name, long Hour), TaskHourDelta>> Tasks => _tasks;

    public IEnumerable<KeyValuePair<(DateOnly Day, string Name, string ExceptionType, long Hour), FailureHourDelta>> Failures => _failures;

    public IEnumerable<KeyValuePair<(DateOnly Day, string Name, string Queue, string Group, long Hour), TaskHourDelta>> Groups => _groups;

    public IEnumerable<KeyValuePair<(DateOnly Day, string Name, string ExceptionType, string Queue, string Group, long Hour), FailureHourDelta>> FailureGroups => _failureGroups;

    /// <summary>The minute rollup's deltas: the facet rollup's, keyed by minute.</summary>
    public IEnumerable<KeyValuePair<(DateOnly Day, string Name, string Queue, string Group, long Minute), TaskHourDelta>> Minutes => _minutes;

    public void Add(DayPartition day, RollupContribution c, int sign)
    {
        var key = (day.Day, c.Name, c.Hour);
        if (!_tasks.TryGetValue(key, out var delta))
        {
            delta = new TaskHourDelta();
            _tasks.Add(key, delta);
        }

        delta.Add(c, sign);
        var gkey = (day.Day, c.Name, c.Queue, c.WorkerGroup, c.Hour);
        if (!_groups.TryGetValue(gkey, out var group))
        {
            group = new TaskHourDelta();
            _groups.Add(gkey, group);
        }

        group.Add(c, sign);
        group.AddWaits(c, sign);
        if (c.Time >= MinutesFrom)
        {
            ref var minute = ref CollectionsMarshal.GetValueRefOrAddDefault(_minutes, (day.Day, c.Name, c.Queue, c.WorkerGroup, c.Minute), out _);
            minute ??= new TaskHourDelta();
            minute.Add(c, sign);
            minute.AddWaits(c, sign);
        }

        if (c.State == TaskStates.Failure)
        {
            var fkey = (day.Day, c.Name, c.ExceptionType ?? "", c.Hour);
            if (!_failures.TryGetValue(fkey, out var failure))
            {
                failure = new FailureHourDelta();
                _failures.Add(fkey, failure);
            }

            failure.Add(c, sign);
            var fgkey = (day.Day, c.Name, c.ExceptionType ?? "", c.Queue, c.WorkerGroup, c.Hour);
            if (!_failureGroups.TryGetValue(fgkey, out var facet))
            {
                facet = new FailureHourDelta();
                _failureGroups.Add(fgkey, facet);
            }

            facet.Add(c, sign);
        }
    }

    public void Clear()
    {
        _tasks.Clear();
        _failures.Clear();
        _groups.Clear();
        _failureGroups.Clear();
        _minutes.Clear();
    }
}

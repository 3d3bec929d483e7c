using Ingest.Accounting;
using Ingest.Storage;

namespace Ingest.Pipeline;

/// <summary>
/// The detail sample (<c>--detail-sample RATE</c>, issue 29): as Phlower does at high rates, a task name running
/// above RATE runs a minute keeps the details (args, kwargs, result, traceback, and so their search text) of about
/// RATE of its successes a minute; failures, retries, unfinished runs and every run of a slower task keep theirs.
/// The invocation row is always stored, flagged (<see cref="InvocationRecord.DetailsSampled"/>) when its details
/// were left out. Details were 322 of about 800 bytes per invocation and the search index over them 209 more.
/// </summary>
/// <remarks>
/// Decided on the producer's side as the record enters the channel, never on the flush thread. The choice is by a
/// hash of the task id, not a random draw, so a run merged again (a restart, a late event) is decided the same way
/// at the same rate. Each name's rate is counted per minute of <see cref="TimeProvider"/> and estimated over the
/// last minute by weighting the previous minute's count by the part of it still inside that minute. The names are
/// capped: a new name past the cap lets the oldest go (counted), and that name is measured again from nothing,
/// which keeps more details, never fewer. Thread-safe.
/// </remarks>
public sealed class DetailSampler
{
    /// <summary>Task names whose rate is measured at once; past it the oldest name goes.</summary>
    public const int DefaultMaxNames = 10_000;

    private readonly Dictionary<string, NameRate> _names = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly IngestCounters _counters;
    private readonly long _ticksPerMinute;

    /// <param name="ratePerMinute">Runs a minute per task name above which successes are sampled, and about how many a minute keep their details.</param>
    /// <param name="time">The clock the rate is measured on.</param>
    /// <param name="counters">Where sampled runs and names let go are counted.</param>
    /// <param name="maxNames">Task names measured at once.</param>
    public DetailSampler(int ratePerMinute, TimeProvider time, IngestCounters counters, int maxNames = DefaultMaxNames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerMinute, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNames, 1);
        RatePerMinute = ratePerMinute;
        MaxNames = maxNames;
        _time = time;
        _counters = counters;
        _ticksPerMinute = time.TimestampFrequency * 60;
    }

    /// <summary>The rate set (<c>--detail-sample</c>).</summary>
    public int RatePerMinute { get; }

    /// <summary>The cap on names measured.</summary>
    public int MaxNames { get; }

    /// <summary>Task names measured now.</summary>
    public int NameCount
    {
        get
        {
            lock (_lock)
            {
                return _names.Count;
            }
        }
    }

    /// <summary>
    /// The record to store: <paramref name="record"/> itself when it keeps its details, else a copy without them,
    /// flagged and counted. Every record counts towards its name's rate.
    /// </summary>
    public InvocationRecord Apply(InvocationRecord record)
    {
        if (Keeps(record))
        {
            return record;
        }

        _counters.AddDetailsSampled();
        return record with { Args = null, Kwargs = null, Result = null, Traceback = null, DetailsSampled = true };
    }

    /// <summary>Counts the record towards its name's rate and decides whether it keeps its details.</summary>
    public bool Keeps(InvocationRecord record)
    {
        var rate = Measure(record.Name ?? "");
        // Only a first-time success is sampled: a failure or a retry is what someone comes to look at, and a run
        // with no details has nothing to leave out (flagging it would claim a loss that did not happen).
        if (record.State != TaskStates.Success || record.Retries > 0
            || (record.HeldArgs is null && record.HeldKwargs is null && record.HeldResult is null && record.HeldTraceback is null))
        {
            return true;
        }

        return rate <= RatePerMinute || Fraction(record.TaskId) * rate < RatePerMinute;
    }

    /// <summary>
    /// Where a task id falls in [0, 1): FNV-1a over its characters, finalized, the same in every process (string.GetHashCode
    /// is seeded per process, so a restart would decide a merged run differently).
    /// </summary>
    internal static double Fraction(string taskId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in taskId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // FNV-1a alone mixes a change in the last characters poorly into the top bits (ids that differ only at the
        // end, t-1 and t-2, land close together): MurmurHash3's finalizer spreads every bit over all of them.
        hash = (hash ^ (hash >> 33)) * 0xff51afd7ed558ccdUL;
        hash = (hash ^ (hash >> 33)) * 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;

        // The top 53 bits, exactly representable as a double.
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Counts one run of <paramref name="name"/> and returns its estimated runs over the last minute, this one included.</summary>
    private double Measure(string name)
    {
        var now = _time.GetTimestamp();
        var minute = now / _ticksPerMinute;
        lock (_lock)
        {
            if (!_names.TryGetValue(name, out var entry))
            {
                if (_names.Count >= MaxNames && _order.TryDequeue(out var oldest))
                {
                    _names.Remove(oldest);
                    _counters.AddDetailSampleNameDropped();
                }

                entry = new NameRate { Minute = minute };
                _names.Add(name, entry);
                _order.Enqueue(name);
            }

            if (minute != entry.Minute)
            {
                entry.Previous = minute == entry.Minute + 1 ? entry.Current : 0;
                entry.Current = 0;
                entry.Minute = minute;
            }

            entry.Current++;
            var intoMinute = (double)(now % _ticksPerMinute) / _ticksPerMinute;
            return (entry.Previous * (1 - intoMinute)) + entry.Current;
        }
    }

    /// <summary>One name's runs in the current minute and the one before it.</summary>
    private sealed class NameRate
    {
        public long Minute { get; set; }

        public long Current { get; set; }

        public long Previous { get; set; }
    }
}

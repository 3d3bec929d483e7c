using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ingest.Accounting;

namespace Ingest.Tracking;

/// <summary>
/// The per-objective SLI counters: <c>ingest_objective_events_total{objective, sli="success|latency", outcome="good|bad"}</c>,
/// one series per objective, SLI and outcome (never per task name: objectives are few, at most the file's cap), every
/// one shown from the first scrape at zero, so a rate over the first minutes has a start. The generated burn-rate
/// rules read them.
/// <para>
/// A task name is matched to the first objective that covers it once, then looked up: at most
/// <see cref="MaxCachedNames"/> names are remembered (the celery_* task-name cap); past it, a name is matched again on
/// each event and counted in <c>ingest_objective_match_cache_overflow_total</c>, so the cost shows and memory stays bounded.
/// </para>
/// </summary>
public sealed class ObjectiveMetrics
{
    /// <summary>The Ingest meter (the Diagnostics folder's, named here: Tracking sits below it).</summary>
    public const string MeterName = "Ingest";

    /// <summary>Task names whose objective is remembered.</summary>
    public const int MaxCachedNames = CeleryMetrics.MaxTaskNames;

    private const int SuccessGood = 0;
    private const int SuccessBad = 1;
    private const int LatencyGood = 2;
    private const int LatencyBad = 3;

    private readonly ObjectiveSli[] _objectives;
    private readonly long[][] _counts;
    private readonly ConcurrentDictionary<string, int> _matched = new(StringComparer.Ordinal);
    private readonly int _maxCached;
    private long _overflowed;

    public ObjectiveMetrics(IMeterFactory meterFactory, IReadOnlyList<ObjectiveSli> objectives)
        : this(meterFactory, objectives, MaxCachedNames)
    {
    }

    /// <summary>With a smaller name cache, for tests of what happens past it.</summary>
    internal ObjectiveMetrics(IMeterFactory meterFactory, IReadOnlyList<ObjectiveSli> objectives, int maxCached)
    {
        _objectives = [.. objectives];
        _counts = [.. _objectives.Select(_ => new long[4])];
        _maxCached = maxCached;
        if (_objectives.Length == 0)
        {
            // No file, no series: nothing to alert on, and nothing for a scrape to carry.
            return;
        }

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("ingest.objective.events", Observe, "{event}",
            "Task events by objective, SLI (success, latency) and outcome (good, bad): what the generated burn-rate rules read.");
        meter.CreateObservableCounter("ingest.objective.match_cache.overflow", () => Interlocked.Read(ref _overflowed), "{event}",
            $"Events whose task name was matched to its objective again because {_maxCached} names are already remembered.");
    }

    /// <summary>The objectives counted.</summary>
    public IReadOnlyList<ObjectiveSli> Objectives => _objectives;

    /// <summary>Counts one accepted task event against the objective that covers its task, if one does.</summary>
    public void Record(CeleryEvent e, in TaskLabels task)
    {
        if (_objectives.Length == 0 || task.Name is not { } name || IndexOf(name) is not (>= 0 and var at))
        {
            return;
        }

        var objective = _objectives[at];
        var counts = _counts[at];
        switch (e.Type)
        {
            case CeleryEventType.TaskSucceeded:
                if (objective.Success)
                {
                    Interlocked.Increment(ref counts[SuccessGood]);
                }

                if (objective.RuntimeSeconds is { } limit && e.Runtime is { } runtime)
                {
                    Interlocked.Increment(ref counts[runtime <= limit ? LatencyGood : LatencyBad]);
                }

                break;
            case CeleryEventType.TaskFailed when objective.Success:
                Interlocked.Increment(ref counts[SuccessBad]);
                break;
            case CeleryEventType.TaskStarted when objective.QueueWaitSeconds is { } wait && task.SentAt is { } sent && !task.HasEta:
                // As celery_task_queue_wait_time: an ETA task waits on purpose, and skew cannot make a wait negative.
                Interlocked.Increment(ref counts[Math.Max(0, e.Timestamp - sent) <= wait ? LatencyGood : LatencyBad]);
                break;
        }
    }

    private int IndexOf(string name)
    {
        if (_matched.TryGetValue(name, out var at))
        {
            return at;
        }

        at = Array.FindIndex(_objectives, o => o.Matches(name));
        if (_matched.Count < _maxCached)
        {
            _matched.TryAdd(name, at);
        }
        else
        {
            Interlocked.Increment(ref _overflowed);
        }

        return at;
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        for (var i = 0; i < _objectives.Length; i++)
        {
            var o = _objectives[i];
            var counts = _counts[i];
            if (o.Success)
            {
                yield return Measure(o.Name, "success", "good", counts, SuccessGood);
                yield return Measure(o.Name, "success", "bad", counts, SuccessBad);
            }

            if (o.Latency)
            {
                yield return Measure(o.Name, "latency", "good", counts, LatencyGood);
                yield return Measure(o.Name, "latency", "bad", counts, LatencyBad);
            }
        }
    }

    private static Measurement<long> Measure(string objective, string sli, string outcome, long[] counts, int slot) =>
        new(Volatile.Read(ref counts[slot]), new("objective", objective), new("sli", sli), new("outcome", outcome));
}

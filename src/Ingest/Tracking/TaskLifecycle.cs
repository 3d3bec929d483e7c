using Ingest.Accounting;
using System.Diagnostics;
using System.Text.Json;
using Ingest.Storage;
using Ingest.Storage.Details;

namespace Ingest.Tracking;

/// <summary>
/// The state half of a task's merge: the attempt in progress (the latest task-received or task-started) and the
/// outcome (the latest terminal event), each kept by event timestamp, which together decide the task's state. The
/// outcome decides unless it is a retry that a later attempt has overtaken, so a task-retried that arrives after
/// the next attempt's task-received does not hide the later SUCCESS, and a late task-started does not undo a
/// SUCCESS. A mutable struct held in its <see cref="TaskMerge"/> (no allocation of its own per task); create it
/// with <c>new()</c>, which starts its timestamps at "never".
/// </summary>
internal struct TaskLifecycle
{
    // The latest non-terminal worker event (received or started): the attempt in progress.
    private AttemptPhase _active;
    private double _activeAt = double.NegativeInfinity;

    // The latest terminal event: it decides the state unless a later attempt has begun after a RETRY.
    private CeleryEventType? _terminal;
    private double _terminalAt = double.NegativeInfinity;
    private double? _runtime;

    public TaskLifecycle()
    {
    }

    /// <summary>The outcome's result, as its event gave it (a long one is held compact and made a string here).</summary>
    public readonly string? Result => CompactText.Text(HeldResult);

    /// <summary>The result as held: a string, or a <see cref="CompactText"/> from 4,096 characters on (issue 29).</summary>
    public object? HeldResult { get; private set; }

    /// <summary>The outcome's exception, as its event gave it.</summary>
    public string? Exception { get; private set; }

    /// <summary>The outcome's traceback, as its event gave it (a long one is held compact and made a string here).</summary>
    public readonly string? Traceback => CompactText.Text(HeldTraceback);

    /// <summary>The traceback as held (see <see cref="HeldResult"/>).</summary>
    public object? HeldTraceback { get; private set; }

    /// <summary>A revoke's terminated flag.</summary>
    public bool? Terminated { get; private set; }

    /// <summary>A revoke's expired flag.</summary>
    public bool? Expired { get; private set; }

    /// <summary>The signal a revoke terminated the task with.</summary>
    public int? Signum { get; private set; }

    /// <summary>When the outcome happened (-Infinity if none yet).</summary>
    public readonly double OutcomeAt => _terminalAt;

    /// <summary>The state the event timestamps give.</summary>
    public readonly string State
    {
        get
        {
            if (_terminal is { } t && (t != CeleryEventType.TaskRetried || _activeAt <= _terminalAt))
            {
                return TerminalState(t);
            }

            return _active switch
            {
                AttemptPhase.None => _terminal is not null ? TaskStates.Retry : TaskStates.Pending,
                AttemptPhase.Received => TaskStates.Received,
                AttemptPhase.Started => TaskStates.Started,
                _ => throw new UnreachableException($"attempt phase {_active}"),
            };
        }
    }

    /// <summary>The outcome is what <paramref name="state"/> shows (not an overtaken retry, not none).</summary>
    public readonly bool OutcomeDecides(string state) => _terminal is { } t && state == TerminalState(t);

    /// <summary>When the task reached the state it shows.</summary>
    /// <param name="outcomeDecides">What <see cref="OutcomeDecides"/> said of the state shown.</param>
    /// <param name="sentAt">When it was sent, for a task no worker has reported.</param>
    public readonly double StateAt(bool outcomeDecides, double? sentAt) =>
        outcomeDecides ? _terminalAt
        : _active != AttemptPhase.None ? _activeAt
        : sentAt ?? _terminalAt;

    /// <summary>What the byte budget counts of the outcome's texts (see <see cref="RecordSize"/>).</summary>
    public readonly long EstimateBytes() =>
        RecordSize.OfHeld(HeldResult) + RecordSize.Of(Exception) + RecordSize.OfHeld(HeldTraceback);

    /// <summary>A worker event of the attempt in progress: kept if it is the latest. Returns true if it was.</summary>
    public bool OfferAttempt(AttemptPhase phase, double ts)
    {
        if (ts > _activeAt || (ts == _activeAt && phase > _active))
        {
            _active = phase;
            _activeAt = ts;
            return true;
        }

        return false;
    }

    /// <summary>A terminal event: kept with its details if it is the latest. Returns true if it was.</summary>
    public bool OfferOutcome(CeleryEvent e)
    {
        var ts = e.Timestamp;
        // Equal timestamps: an outcome beats a retry, so a lost clock tick never turns SUCCESS into RETRY.
        var newer = ts > _terminalAt
            || (ts == _terminalAt && _terminal == CeleryEventType.TaskRetried && e.Type != CeleryEventType.TaskRetried);
        if (!newer)
        {
            return false;
        }

        _terminal = e.Type;
        _terminalAt = ts;
        HeldResult = CompactText.Hold(e.Result);
        _runtime = e.Runtime;
        Exception = e.Exception;
        HeldTraceback = CompactText.Hold(e.Traceback);
        Terminated = e.Terminated;
        Expired = e.Expired;
        Signum = e.Signum;
        return true;
    }

    /// <summary>The outcome's runtime.</summary>
    /// <param name="startedAt">When the latest attempt started, if known.</param>
    public readonly double? Runtime(double? startedAt)
    {
        // Celery measures runtime on the worker for successes; for the other outcomes the attempt's own
        // started → finished span is the closest truth (a revoke before start has none).
        if (_terminal == CeleryEventType.TaskSucceeded && _runtime is not null)
        {
            return _runtime;
        }

        return startedAt is { } s && s <= _terminalAt ? _terminalAt - s : null;
    }

    /// <summary>Writes this half of the snapshot's properties, each value with the timestamp it won by.</summary>
    public readonly void WriteSnapshot(Utf8JsonWriter w)
    {
        w.WriteString("as", _active switch
        {
            AttemptPhase.None => null,
            AttemptPhase.Received => TaskStates.Received,
            AttemptPhase.Started => TaskStates.Started,
            _ => throw new UnreachableException($"attempt phase {_active}"),
        });
        SnapshotJson.WriteNumber(w, "aa", _activeAt);
        w.WriteNumber("ar", (int)_active);
        if (_terminal is { } t)
        {
            w.WriteNumber("t", (int)t);
        }

        SnapshotJson.WriteNumber(w, "ta", _terminalAt);
        w.WriteString("r", Result);
        SnapshotJson.WriteNumber(w, "rt", _runtime);
        w.WriteString("x", Exception);
        w.WriteString("tb", Traceback);
        SnapshotJson.WriteBool(w, "te", Terminated);
        SnapshotJson.WriteBool(w, "ex", Expired);
        SnapshotJson.WriteNumber(w, "sg", Signum);
    }

    /// <summary>This half of a merge restored from <see cref="WriteSnapshot"/>.</summary>
    public static TaskLifecycle ReadSnapshot(JsonElement e) => new()
    {
        // The state shown decides the phase; the rank ("ar") is its number and says nothing more.
        _active = SnapshotJson.Str(e, "as") switch
        {
            TaskStates.Received => AttemptPhase.Received,
            TaskStates.Started => AttemptPhase.Started,
            _ => AttemptPhase.None,
        },
        _activeAt = SnapshotJson.Num(e, "aa") ?? double.NegativeInfinity,
        _terminal = SnapshotJson.Num(e, "t") is { } t ? (CeleryEventType)(int)t : null,
        _terminalAt = SnapshotJson.Num(e, "ta") ?? double.NegativeInfinity,
        HeldResult = CompactText.Hold(SnapshotJson.Str(e, "r")),
        _runtime = SnapshotJson.Num(e, "rt"),
        Exception = SnapshotJson.Str(e, "x"),
        HeldTraceback = CompactText.Hold(SnapshotJson.Str(e, "tb")),
        Terminated = SnapshotJson.Bool(e, "te"),
        Expired = SnapshotJson.Bool(e, "ex"),
        Signum = SnapshotJson.Num(e, "sg") is { } sg ? (int)sg : null,
    };

    private static string TerminalState(CeleryEventType type) => type switch
    {
        CeleryEventType.TaskSucceeded => TaskStates.Success,
        CeleryEventType.TaskFailed => TaskStates.Failure,
        CeleryEventType.TaskRetried => TaskStates.Retry,
        CeleryEventType.TaskRevoked => TaskStates.Revoked,
        CeleryEventType.TaskRejected => TaskStates.Rejected,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a terminal event"),
    };
}

using Ingest.Accounting;
using Ingest.Storage;
using Ingest.Storage.Details;

namespace Ingest.Tracking;

/// <summary>
/// The merged view of one task id's events. Every rule is order-independent (keep the latest by event
/// timestamp, fill what is missing, count), so the result depends on the events' own timestamps and not on
/// the order they arrived in: a task-retried that arrives after the next attempt's task-received does not hide
/// the later SUCCESS, and a late task-started does not undo a SUCCESS. The state and the outcome's details are
/// <see cref="TaskLifecycle"/>'s; the descriptive fields, worker, timestamps and retries are merged here.
/// Not thread-safe.
/// </summary>
public sealed class TaskMerge
{
    // The attempt in progress and the outcome: they decide the state.
    private TaskLifecycle _lifecycle = new();

    // Descriptive fields come from the latest event (by timestamp) that carries them: a retry may carry new
    // args or a new eta, and "latest" does not depend on arrival order the way "first seen" would.
    private DescribedField _name;
    private DescribedField _args;
    private DescribedField _kwargs;
    private DescribedField _queue;
    private DescribedField _rootId;
    private DescribedField _parentId;
    private DescribedField _eta;
    private DescribedField _expires;
    private string? _worker;
    private double _workerAt = double.NegativeInfinity;
    private double? _sentAt;
    private double? _receivedAt;
    private double? _startedAt;
    // The distinct timestamps of task-retried events: a redelivered event (at-least-once over AMQP) counts once.
    private List<double>? _retriedAt;

    /// <summary>Distinct task-retried events kept per task; past it, retries stop growing.</summary>
    public const int MaxRetriesCounted = 1000;

    public TaskMerge(string taskId)
    {
        TaskId = taskId;
    }

    public string TaskId { get; }

    /// <summary>What this task holds in memory, as the byte budget counts it (see <see cref="RecordSize"/>).</summary>
    public long EstimateBytes() =>
        RecordSize.Overhead + RecordSize.Of(TaskId) + _lifecycle.EstimateBytes()
        + RecordSize.Of(_name.Value) + RecordSize.OfHeld(_args.Held)
        + RecordSize.OfHeld(_kwargs.Held) + RecordSize.Of(_queue.Value) + RecordSize.Of(_rootId.Value)
        + RecordSize.Of(_parentId.Value) + RecordSize.Of(_eta.Value) + RecordSize.Of(_expires.Value)
        + RecordSize.Of(_worker);

    /// <summary>The task's name as merged so far (events after task-received do not carry it).</summary>
    public string? Name => _name.Value;

    /// <summary>The queue it was sent to, once task-sent or task-received told it.</summary>
    public string? Queue => _queue.Value;

    /// <summary>When it was sent, if task-sent was seen.</summary>
    public double? SentAt => _sentAt;

    /// <summary>Its ETA or countdown, as sent (ISO 8601), if any.</summary>
    public string? Eta => _eta.Value;

    /// <summary>The worker of the latest worker event.</summary>
    public string? Worker => _worker;

    /// <summary>Its positional arguments, as sent (for the value search of in-flight runs).</summary>
    public string? Args => _args.Value;

    /// <summary>Its keyword arguments, as sent.</summary>
    public string? Kwargs => _kwargs.Value;

    /// <summary>When it reached the state it shows: the sort key of lists, as <see cref="ToRecord"/> gives it.</summary>
    public double StateAt => _lifecycle.StateAt(_lifecycle.OutcomeDecides(State), _sentAt) is var at && double.IsFinite(at) ? at : 0;

    /// <summary>True once a terminal event other than task-retried is known: nothing more will run.</summary>
    public bool IsReady => TaskStates.IsReady(State);

    /// <summary>The state the event timestamps give.</summary>
    public string State => _lifecycle.State;

    /// <summary>Applies one event. Returns true if anything an emitted record shows may have changed.</summary>
    public bool Apply(CeleryEvent e)
    {
        var ts = e.Timestamp;
        var changed = _name.Offer(e.Name, ts) | _args.Offer(e.Args, ts, compact: true) | _kwargs.Offer(e.Kwargs, ts, compact: true)
            | _rootId.Offer(e.RootId, ts) | _eta.Offer(e.Eta, ts) | _expires.Offer(e.Expires, ts);

        // A retry's task-sent and task-received carry the task's own id as parent: that is not a parent.
        if (e.ParentId != TaskId)
        {
            changed |= _parentId.Offer(e.ParentId, ts);
        }

        switch (e.Type)
        {
            case CeleryEventType.TaskSent:
                changed |= _queue.Offer(e.Queue ?? e.RoutingKey, ts);
                changed |= Latest(ref _sentAt, ts);
                return changed;
            case CeleryEventType.TaskReceived:
                changed |= Latest(ref _receivedAt, ts);
                changed |= _lifecycle.OfferAttempt(AttemptPhase.Received, ts);
                break;
            case CeleryEventType.TaskStarted:
                changed |= Latest(ref _startedAt, ts);
                changed |= _lifecycle.OfferAttempt(AttemptPhase.Started, ts);
                break;
            default:
                if (e.Type == CeleryEventType.TaskRetried && (_retriedAt ??= []).Count < MaxRetriesCounted && !_retriedAt.Contains(ts))
                {
                    _retriedAt.Add(ts);
                    changed = true;
                }

                changed |= _lifecycle.OfferOutcome(e);
                break;
        }

        if (e.Hostname is not null && ts >= _workerAt)
        {
            changed |= _worker != e.Hostname;
            _worker = e.Hostname;
            _workerAt = ts;
        }

        return changed;
    }

    /// <summary>The invocation as it stands now.</summary>
    public InvocationRecord ToRecord()
    {
        var state = State;
        var outcomeDecides = _lifecycle.OutcomeDecides(state);
        return new InvocationRecord
        {
            TaskId = TaskId,
            State = state,
            StateAt = StateAt,
            Name = _name.Value,
            Worker = _worker,
            Queue = _queue.Value,
            SentAt = _sentAt,
            ReceivedAt = _receivedAt,
            StartedAt = _startedAt,
            FinishedAt = outcomeDecides ? _lifecycle.OutcomeAt : null,
            RuntimeSeconds = outcomeDecides ? _lifecycle.Runtime(_startedAt) : null,
            Retries = _retriedAt?.Count ?? 0,
            RetriedAt = _retriedAt is { Count: > 0 } retried ? new RetryTimes(retried) : null,
            Args = _args.Held as string,
            Kwargs = _kwargs.Held as string,
            ArgsCompact = _args.Held as CompactText,
            KwargsCompact = _kwargs.Held as CompactText,
            Result = outcomeDecides ? _lifecycle.HeldResult as string : null,
            ResultCompact = outcomeDecides ? _lifecycle.HeldResult as CompactText : null,
            Exception = outcomeDecides ? _lifecycle.Exception : null,
            Traceback = outcomeDecides ? _lifecycle.HeldTraceback as string : null,
            TracebackCompact = outcomeDecides ? _lifecycle.HeldTraceback as CompactText : null,
            ParentId = _parentId.Value,
            RootId = _rootId.Value,
            Eta = _eta.Value,
            Expires = _expires.Value,
            Terminated = outcomeDecides ? _lifecycle.Terminated : null,
            Expired = outcomeDecides ? _lifecycle.Expired : null,
            Signum = outcomeDecides ? _lifecycle.Signum : null,
        };
    }

    /// <summary>
    /// The whole merge state, every value with the timestamp it won by, so that a task restored from a checkpoint
    /// merges later (and redelivered) events exactly as if it had never left memory.
    /// </summary>
    public void WriteSnapshot(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        _lifecycle.WriteSnapshot(w);
        _name.Write(w, "n");
        _args.Write(w, "a");
        _kwargs.Write(w, "k");
        _queue.Write(w, "q");
        _rootId.Write(w, "ro");
        _parentId.Write(w, "pa");
        _eta.Write(w, "et");
        _expires.Write(w, "es");
        w.WriteString("w", _worker);
        SnapshotJson.WriteNumber(w, "wa", _workerAt);
        SnapshotJson.WriteNumber(w, "se", _sentAt);
        SnapshotJson.WriteNumber(w, "re", _receivedAt);
        SnapshotJson.WriteNumber(w, "st", _startedAt);
        if (_retriedAt is { Count: > 0 })
        {
            w.WriteStartArray("rr");
            foreach (var at in _retriedAt)
            {
                w.WriteNumberValue(at);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>A merge restored from <see cref="WriteSnapshot"/>.</summary>
    public static TaskMerge ReadSnapshot(string taskId, System.Text.Json.JsonElement e)
    {
        var m = new TaskMerge(taskId)
        {
            _lifecycle = TaskLifecycle.ReadSnapshot(e),
            _name = DescribedField.Read(e, "n"),
            _args = DescribedField.Read(e, "a", compact: true),
            _kwargs = DescribedField.Read(e, "k", compact: true),
            _queue = DescribedField.Read(e, "q"),
            _rootId = DescribedField.Read(e, "ro"),
            _parentId = DescribedField.Read(e, "pa"),
            _eta = DescribedField.Read(e, "et"),
            _expires = DescribedField.Read(e, "es"),
            _worker = SnapshotJson.Str(e, "w"),
            _workerAt = SnapshotJson.Num(e, "wa") ?? double.NegativeInfinity,
            _sentAt = SnapshotJson.Num(e, "se"),
            _receivedAt = SnapshotJson.Num(e, "re"),
            _startedAt = SnapshotJson.Num(e, "st"),
        };
        if (e.TryGetProperty("rr", out var rr) && rr.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            m._retriedAt = [.. rr.EnumerateArray().Where(v => v.ValueKind == System.Text.Json.JsonValueKind.Number).Select(v => v.GetDouble()).Take(MaxRetriesCounted)];
        }

        return m;
    }

    private static bool Latest(ref double? field, double value)
    {
        if (field is null || value > field)
        {
            field = value;
            return true;
        }

        return false;
    }
}

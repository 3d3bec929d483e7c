using Ingest.Decoding;
using Ingest.Storage;

namespace Ingest.Tracking;

/// <summary>
/// The merged view of one task id's events. Every rule is order-independent (keep the latest by event
/// timestamp, fill what is missing, count), so the result depends on the events' own timestamps and not on
/// the order they arrived in: a task-retried that arrives after the next attempt's task-received does not hide
/// the later SUCCESS, and a late task-started does not undo a SUCCESS. Not thread-safe.
/// </summary>
public sealed class TaskMerge
{
    // The latest non-terminal worker event (received or started): the attempt in progress.
    private string? _activeState;
    private double _activeAt = double.NegativeInfinity;
    private int _activeRank;

    // The latest terminal event: it decides the state unless a later attempt has begun after a RETRY.
    private CeleryEventType? _terminal;
    private double _terminalAt = double.NegativeInfinity;
    private string? _result;
    private double? _runtime;
    private string? _exception;
    private string? _traceback;
    private bool? _terminated;
    private bool? _expired;
    private int? _signum;

    // Descriptive fields come from the latest event (by timestamp) that carries them: a retry may carry new
    // args or a new eta, and "latest" does not depend on arrival order the way "first seen" would.
    private Described _name;
    private Described _args;
    private Described _kwargs;
    private Described _queue;
    private Described _rootId;
    private Described _parentId;
    private Described _eta;
    private Described _expires;
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

    /// <summary>What this task holds in memory, as the byte budget counts it (see <see cref="Pipeline.RecordSize"/>).</summary>
    public long EstimateBytes() =>
        Pipeline.RecordSize.Overhead + Pipeline.RecordSize.Of(TaskId) + Pipeline.RecordSize.Of(_result) + Pipeline.RecordSize.Of(_exception)
        + Pipeline.RecordSize.Of(_traceback) + Pipeline.RecordSize.Of(_name.Value) + Pipeline.RecordSize.Of(_args.Value)
        + Pipeline.RecordSize.Of(_kwargs.Value) + Pipeline.RecordSize.Of(_queue.Value) + Pipeline.RecordSize.Of(_rootId.Value)
        + Pipeline.RecordSize.Of(_parentId.Value) + Pipeline.RecordSize.Of(_eta.Value) + Pipeline.RecordSize.Of(_expires.Value)
        + Pipeline.RecordSize.Of(_worker);

    /// <summary>The task's name as merged so far (events after task-received do not carry it).</summary>
    public string? Name => _name.Value;

    /// <summary>The queue it was sent to, once task-sent or task-received told it.</summary>
    public string? Queue => _queue.Value;

    /// <summary>When it was sent, if task-sent was seen.</summary>
    public double? SentAt => _sentAt;

    /// <summary>Its ETA or countdown, as sent (ISO 8601), if any.</summary>
    public string? Eta => _eta.Value;

    /// <summary>True once a terminal event other than task-retried is known: nothing more will run.</summary>
    public bool IsReady => TaskStates.IsReady(State);

    /// <summary>The state the event timestamps give.</summary>
    public string State
    {
        get
        {
            if (_terminal is { } t && (t != CeleryEventType.TaskRetried || _activeAt <= _terminalAt))
            {
                return TerminalState(t);
            }

            return _activeState ?? (_terminal is not null ? TaskStates.Retry : TaskStates.Pending);
        }
    }

    /// <summary>Applies one event. Returns true if anything an emitted record shows may have changed.</summary>
    public bool Apply(CeleryEvent e)
    {
        var ts = e.Timestamp;
        var changed = _name.Offer(e.Name, ts) | _args.Offer(e.Args, ts) | _kwargs.Offer(e.Kwargs, ts)
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
                changed |= Active(TaskStates.Received, 1, ts);
                break;
            case CeleryEventType.TaskStarted:
                changed |= Latest(ref _startedAt, ts);
                changed |= Active(TaskStates.Started, 2, ts);
                break;
            default:
                if (e.Type == CeleryEventType.TaskRetried && (_retriedAt ??= []).Count < MaxRetriesCounted && !_retriedAt.Contains(ts))
                {
                    _retriedAt.Add(ts);
                    changed = true;
                }

                changed |= Terminal(e);
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
        var terminalDecides = _terminal is not null && state == TerminalState(_terminal.Value);
        var stateAt = terminalDecides ? _terminalAt
            : _activeState is not null ? _activeAt
            : _sentAt ?? _terminalAt;
        double? finishedAt = terminalDecides ? _terminalAt : null;
        return new InvocationRecord
        {
            TaskId = TaskId,
            State = state,
            StateAt = double.IsFinite(stateAt) ? stateAt : 0,
            Name = _name.Value,
            Worker = _worker,
            Queue = _queue.Value,
            SentAt = _sentAt,
            ReceivedAt = _receivedAt,
            StartedAt = _startedAt,
            FinishedAt = finishedAt,
            RuntimeSeconds = terminalDecides ? Runtime() : null,
            Retries = _retriedAt?.Count ?? 0,
            Args = _args.Value,
            Kwargs = _kwargs.Value,
            Result = terminalDecides ? _result : null,
            Exception = terminalDecides ? _exception : null,
            Traceback = terminalDecides ? _traceback : null,
            ParentId = _parentId.Value,
            RootId = _rootId.Value,
            Eta = _eta.Value,
            Expires = _expires.Value,
            Terminated = terminalDecides ? _terminated : null,
            Expired = terminalDecides ? _expired : null,
            Signum = terminalDecides ? _signum : null,
        };
    }

    /// <summary>
    /// The whole merge state, every value with the timestamp it won by, so that a task restored from a checkpoint
    /// merges later (and redelivered) events exactly as if it had never left memory.
    /// </summary>
    public void WriteSnapshot(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("as", _activeState);
        WriteNumber(w, "aa", _activeAt);
        w.WriteNumber("ar", _activeRank);
        if (_terminal is { } t)
        {
            w.WriteNumber("t", (int)t);
        }

        WriteNumber(w, "ta", _terminalAt);
        w.WriteString("r", _result);
        WriteNumber(w, "rt", _runtime);
        w.WriteString("x", _exception);
        w.WriteString("tb", _traceback);
        WriteBool(w, "te", _terminated);
        WriteBool(w, "ex", _expired);
        WriteNumber(w, "sg", _signum);
        _name.Write(w, "n");
        _args.Write(w, "a");
        _kwargs.Write(w, "k");
        _queue.Write(w, "q");
        _rootId.Write(w, "ro");
        _parentId.Write(w, "pa");
        _eta.Write(w, "et");
        _expires.Write(w, "es");
        w.WriteString("w", _worker);
        WriteNumber(w, "wa", _workerAt);
        WriteNumber(w, "se", _sentAt);
        WriteNumber(w, "re", _receivedAt);
        WriteNumber(w, "st", _startedAt);
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
            _activeState = Str(e, "as"),
            _activeAt = Num(e, "aa") ?? double.NegativeInfinity,
            _activeRank = (int)(Num(e, "ar") ?? 0),
            _terminal = Num(e, "t") is { } t ? (CeleryEventType)(int)t : null,
            _terminalAt = Num(e, "ta") ?? double.NegativeInfinity,
            _result = Str(e, "r"),
            _runtime = Num(e, "rt"),
            _exception = Str(e, "x"),
            _traceback = Str(e, "tb"),
            _terminated = Bool(e, "te"),
            _expired = Bool(e, "ex"),
            _signum = Num(e, "sg") is { } sg ? (int)sg : null,
            _name = Described.Read(e, "n"),
            _args = Described.Read(e, "a"),
            _kwargs = Described.Read(e, "k"),
            _queue = Described.Read(e, "q"),
            _rootId = Described.Read(e, "ro"),
            _parentId = Described.Read(e, "pa"),
            _eta = Described.Read(e, "et"),
            _expires = Described.Read(e, "es"),
            _worker = Str(e, "w"),
            _workerAt = Num(e, "wa") ?? double.NegativeInfinity,
            _sentAt = Num(e, "se"),
            _receivedAt = Num(e, "re"),
            _startedAt = Num(e, "st"),
        };
        if (e.TryGetProperty("rr", out var rr) && rr.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            m._retriedAt = [.. rr.EnumerateArray().Where(v => v.ValueKind == System.Text.Json.JsonValueKind.Number).Select(v => v.GetDouble()).Take(MaxRetriesCounted)];
        }

        return m;
    }

    // -Infinity ("never") is not JSON: it is left out and read back as -Infinity.
    private static void WriteNumber(System.Text.Json.Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(System.Text.Json.Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void WriteBool(System.Text.Json.Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
    }

    private static string? Str(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;

    private static double? Num(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetDouble() : null;

    private static bool? Bool(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False ? v.GetBoolean() : null;

    private double? Runtime()
    {
        // Celery measures runtime on the worker for successes; for the other outcomes the attempt's own
        // started → finished span is the closest truth (a revoke before start has none).
        if (_terminal == CeleryEventType.TaskSucceeded && _runtime is not null)
        {
            return _runtime;
        }

        return _startedAt is { } s && s <= _terminalAt ? _terminalAt - s : null;
    }

    private bool Active(string state, int rank, double ts)
    {
        if (ts > _activeAt || (ts == _activeAt && rank > _activeRank))
        {
            _activeState = state;
            _activeAt = ts;
            _activeRank = rank;
            return true;
        }

        return false;
    }

    private bool Terminal(CeleryEvent e)
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
        _result = e.Result;
        _runtime = e.Runtime;
        _exception = e.Exception;
        _traceback = e.Traceback;
        _terminated = e.Terminated;
        _expired = e.Expired;
        _signum = e.Signum;
        return true;
    }

    private static string TerminalState(CeleryEventType type) => type switch
    {
        CeleryEventType.TaskSucceeded => TaskStates.Success,
        CeleryEventType.TaskFailed => TaskStates.Failure,
        CeleryEventType.TaskRetried => TaskStates.Retry,
        CeleryEventType.TaskRevoked => TaskStates.Revoked,
        CeleryEventType.TaskRejected => TaskStates.Rejected,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a terminal event"),
    };

    /// <summary>A text field and the timestamp of the event it came from.</summary>
    private struct Described
    {
        private double _at;

        public readonly void Write(System.Text.Json.Utf8JsonWriter w, string name)
        {
            if (Value is null)
            {
                return;
            }

            w.WriteStartArray(name);
            w.WriteStringValue(Value);
            w.WriteNumberValue(_at);
            w.WriteEndArray();
        }

        public static Described Read(System.Text.Json.JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Array && v.GetArrayLength() == 2
                && v[0].ValueKind == System.Text.Json.JsonValueKind.String && v[1].ValueKind == System.Text.Json.JsonValueKind.Number
                ? new Described { Value = v[0].GetString(), _at = v[1].GetDouble() }
                : default;

        public string? Value { get; private set; }

        /// <summary>Keeps the value of the latest event; on a timestamp tie the ordinally greater text, so order never matters.</summary>
        public bool Offer(string? value, double at)
        {
            if (value is null)
            {
                return false;
            }

            if (value == Value)
            {
                _at = Math.Max(_at, at);
                return false;
            }

            if (Value is null || at > _at || (at == _at && string.CompareOrdinal(value, Value) > 0))
            {
                Value = value;
                _at = at;
                return true;
            }

            return false;
        }
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

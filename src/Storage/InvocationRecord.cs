using System.Text.Json.Serialization;
using Ingest.Storage.Details;

namespace Ingest.Storage;

/// <summary>
/// One task invocation as it is stored: every event of one Celery task id merged into a row.
/// Times are Unix epoch seconds (UTC), the unit Celery puts on the wire, so nothing is lost to conversions.
/// </summary>
public sealed record InvocationRecord
{
    private readonly string? _args;
    private readonly string? _kwargs;
    private readonly CompactText? _argsCompact;
    private readonly CompactText? _kwargsCompact;
    private readonly string? _result;
    private readonly string? _traceback;
    private readonly CompactText? _resultCompact;
    private readonly CompactText? _tracebackCompact;

    /// <summary>The Celery task id (the event's <c>uuid</c>).</summary>
    public required string TaskId { get; init; }

    /// <summary>Celery state name: PENDING, RECEIVED, STARTED, SUCCESS, FAILURE, RETRY, REVOKED or REJECTED.</summary>
    public required string State { get; init; }

    /// <summary>
    /// Time of the event that decided <see cref="State"/>. It orders two versions of the same invocation
    /// (the newer wins) and, for invocations that never finished, chooses the day partition.
    /// </summary>
    public required double StateAt { get; init; }

    public string? Name { get; init; }
    public string? Worker { get; init; }
    public string? Queue { get; init; }
    public double? SentAt { get; init; }
    public double? ReceivedAt { get; init; }
    public double? StartedAt { get; init; }
    public double? FinishedAt { get; init; }
    public double? RuntimeSeconds { get; init; }
    public int Retries { get; init; }

    /// <summary>
    /// The distinct times of the task-retried events behind <see cref="Retries"/>, or null when none: a store shared by
    /// several instances (issue 26) counts a task's retries across the rows each instance wrote, where the largest of
    /// the per-row counts would miss the retries another instance saw.
    /// </summary>
    public RetryTimes? RetriedAt { get; init; }
    /// <summary>Its positional arguments as sent; a long value held compact (<see cref="ArgsCompact"/>) is made a string here, each time.</summary>
    public string? Args
    {
        get => _args ?? _argsCompact?.ToString();
        init => (_args, _argsCompact) = (value, null);
    }

    /// <summary>Its keyword arguments as sent (see <see cref="Args"/>).</summary>
    public string? Kwargs
    {
        get => _kwargs ?? _kwargsCompact?.ToString();
        init => (_kwargs, _kwargsCompact) = (value, null);
    }

    /// <summary>
    /// The args when held compact (a long value, issue 29), else null: what the writer binds and the byte budget
    /// counts without making a string. Setting a value replaces <see cref="Args"/>, and setting that (null too)
    /// replaces this; setting this to null leaves a string as it is.
    /// </summary>
    [JsonIgnore]
    public CompactText? ArgsCompact
    {
        get => _argsCompact;
        init => (_args, _argsCompact) = value is null ? (_args, (CompactText?)null) : ((string?)null, value);
    }

    /// <summary>The kwargs when held compact, else null (see <see cref="ArgsCompact"/>).</summary>
    [JsonIgnore]
    public CompactText? KwargsCompact
    {
        get => _kwargsCompact;
        init => (_kwargs, _kwargsCompact) = value is null ? (_kwargs, (CompactText?)null) : ((string?)null, value);
    }

    /// <summary>The args as held: the string, the compact form, or null.</summary>
    [JsonIgnore]
    public object? HeldArgs => (object?)_argsCompact ?? _args;

    /// <summary>The kwargs as held: the string, the compact form, or null.</summary>
    [JsonIgnore]
    public object? HeldKwargs => (object?)_kwargsCompact ?? _kwargs;

    /// <summary>The outcome's result as sent (see <see cref="Args"/> for a long one held compact).</summary>
    public string? Result
    {
        get => _result ?? _resultCompact?.ToString();
        init => (_result, _resultCompact) = (value, null);
    }

    public string? Exception { get; init; }

    /// <summary>The failure's traceback as sent (see <see cref="Args"/> for a long one held compact).</summary>
    public string? Traceback
    {
        get => _traceback ?? _tracebackCompact?.ToString();
        init => (_traceback, _tracebackCompact) = (value, null);
    }

    /// <summary>The result when held compact, else null (see <see cref="ArgsCompact"/>).</summary>
    [JsonIgnore]
    public CompactText? ResultCompact
    {
        get => _resultCompact;
        init => (_result, _resultCompact) = value is null ? (_result, (CompactText?)null) : ((string?)null, value);
    }

    /// <summary>The traceback when held compact, else null (see <see cref="ArgsCompact"/>).</summary>
    [JsonIgnore]
    public CompactText? TracebackCompact
    {
        get => _tracebackCompact;
        init => (_traceback, _tracebackCompact) = value is null ? (_traceback, (CompactText?)null) : ((string?)null, value);
    }

    /// <summary>The result as held: the string, the compact form, or null.</summary>
    [JsonIgnore]
    public object? HeldResult => (object?)_resultCompact ?? _result;

    /// <summary>The traceback as held: the string, the compact form, or null.</summary>
    [JsonIgnore]
    public object? HeldTraceback => (object?)_tracebackCompact ?? _traceback;
    public string? ParentId { get; init; }
    public string? RootId { get; init; }
    public string? Eta { get; init; }
    public string? Expires { get; init; }
    public bool? Terminated { get; init; }
    public bool? Expired { get; init; }
    public int? Signum { get; init; }

    /// <summary>
    /// True when this run's args, kwargs, result and traceback were left out on purpose by the detail sample
    /// (<c>--detail-sample</c>): a success of a task running above the rate. The row itself is stored as ever; the
    /// flag says the empty details say nothing about the task.
    /// </summary>
    public bool DetailsSampled { get; init; }

    /// <summary>The time that places this invocation in a day partition: when it finished, else its last state change.</summary>
    public double PartitionTime => FinishedAt ?? StateAt;

    /// <summary>
    /// The exception's class name, taken from its repr (<c>ValueError('boom')</c> gives <c>ValueError</c>), or from the
    /// traceback's last line when Celery wrapped it (see <see cref="TaskStates.ExceptionTypeOf"/>).
    /// </summary>
    public string? ExceptionType => TaskStates.ExceptionTypeOf(Exception, Traceback);
}

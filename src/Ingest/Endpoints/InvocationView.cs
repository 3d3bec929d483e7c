using Ingest.Web;
using Ingest.Storage;

namespace Ingest.Endpoints;

/// <summary>One invocation as the API shows it (snake_case on the wire).</summary>
public sealed record InvocationView
{
    public required string TaskId { get; init; }
    public string? Name { get; init; }
    public required string State { get; init; }
    public string? Worker { get; init; }
    public string? Queue { get; init; }
    public string? SentAt { get; init; }
    public string? ReceivedAt { get; init; }
    public string? StartedAt { get; init; }
    public string? FinishedAt { get; init; }
    public double? RuntimeS { get; init; }

    /// <summary>Time in the broker's queue: task-received minus task-sent (needs task-sent, i.e. task_send_sent_event).</summary>
    public double? WaitQueueS { get; init; }

    /// <summary>Time on the worker before a slot ran it (prefetched, waiting for a pool process): task-started minus task-received.</summary>
    public double? WaitWorkerS { get; init; }
    public int Retries { get; init; }
    public string? Args { get; init; }
    public string? Kwargs { get; init; }
    public string? Result { get; init; }
    public string? Exception { get; init; }
    public string? ExceptionType { get; init; }

    /// <summary>The exception's words: its repr, or the traceback's last line when Celery wrapped it (issue 25).</summary>
    public string? ExceptionMessage { get; init; }
    public string? Traceback { get; init; }
    public string? ParentId { get; init; }
    public string? RootId { get; init; }
    public string? Eta { get; init; }
    public string? Expires { get; init; }
    public bool? Terminated { get; init; }
    public bool? Expired { get; init; }
    public int? Signum { get; init; }

    /// <summary>When the state was last decided (the sort key of lists).</summary>
    public string? StateAt { get; init; }

    /// <summary>
    /// <c>in_flight</c> (running, from the tracker's memory), <c>recent</c> (finished moments ago, in memory while it
    /// is written) or <c>stored</c> (from SQLite; a stored state that is not final means Ingest stopped tracking the
    /// task before it finished, see <see cref="Finished"/>).
    /// </summary>
    public required string Source { get; init; }

    /// <summary>True once a final state (SUCCESS, FAILURE, REVOKED, REJECTED) is known.</summary>
    public bool Finished { get; init; }

    /// <summary>
    /// True for a run the tracker holds unfinished (received, started, retrying, waiting on an ETA): shown from memory,
    /// in lists and searches as well as by id, stored once it finishes (issue 25).
    /// </summary>
    public bool InFlight { get; init; }

    /// <summary>
    /// True when this stored row's day is past detail retention (<c>--detail-days</c>): its args, kwargs, result and
    /// traceback were dropped, so their absence says nothing about the task.
    /// </summary>
    public bool DetailsDropped { get; init; }

    /// <summary>
    /// Why this run's args, kwargs, result and traceback were left out when it was written, null when they were not:
    /// <c>sampled</c> by the detail sample (<c>--detail-sample</c>), a success of a task running above its rate.
    /// </summary>
    public string? DetailsNotKept { get; init; }

    /// <summary>With <see cref="DetailsNotKept"/>: the <c>--detail-sample</c> rate set now (0 if turned off since). Null otherwise.</summary>
    public int? DetailSample { get; init; }

    /// <summary>
    /// Whether the run can be sent again as it was, and with what (issue 27): only on one invocation
    /// (<c>GET /api/invocations/{id}</c>, through <see cref="WithRerun"/>); lists leave it out.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public RerunView? Rerun { get; init; }

    /// <summary>This view with the detail sample's rate, for a run whose details it left out.</summary>
    public InvocationView WithDetailSample(int rate) => DetailsNotKept is null ? this : this with { DetailSample = rate };

    /// <summary>This view with <see cref="Rerun"/> decided.</summary>
    public InvocationView WithRerun() => this with { Rerun = RerunView.Of(this) };

    /// <param name="detailsDroppedThrough">The newest day whose details were dropped (<see cref="Storage.Maintenance.StorageStatus.DetailsDroppedThrough"/>).</param>
    public static InvocationView From(InvocationRecord r, string source, DateOnly? detailsDroppedThrough = null) => new()
    {
        DetailsDropped = source == "stored" && detailsDroppedThrough is { } through
            && Storage.Partitions.DayPartition.FromUnixSeconds(r.PartitionTime).Day <= through,
        DetailsNotKept = r.DetailsSampled ? "sampled" : null,
        TaskId = r.TaskId,
        Name = r.Name,
        State = r.State,
        Worker = r.Worker,
        Queue = r.Queue,
        SentAt = ApiTime.Format(r.SentAt),
        ReceivedAt = ApiTime.Format(r.ReceivedAt),
        StartedAt = ApiTime.Format(r.StartedAt),
        FinishedAt = ApiTime.Format(r.FinishedAt),
        RuntimeS = r.RuntimeSeconds,
        WaitQueueS = Between(r.SentAt, r.ReceivedAt),
        WaitWorkerS = Between(r.ReceivedAt, r.StartedAt),
        Retries = r.Retries,
        Args = r.Args,
        Kwargs = r.Kwargs,
        Result = r.Result,
        Exception = r.Exception,
        ExceptionType = r.ExceptionType,
        ExceptionMessage = TaskStates.ExceptionMessageOf(r.Exception, r.Traceback),
        Traceback = r.Traceback,
        ParentId = r.ParentId,
        RootId = r.RootId,
        Eta = r.Eta,
        Expires = r.Expires,
        Terminated = r.Terminated,
        Expired = r.Expired,
        Signum = r.Signum,
        StateAt = ApiTime.Format(r.StateAt),
        Source = source == "in_flight" && TaskStates.IsReady(r.State) ? "recent" : source,
        Finished = TaskStates.IsReady(r.State),
        InFlight = source == "in_flight" && !TaskStates.IsReady(r.State),
    };

    /// <summary>Seconds from one event to the next; clock skew between hosts can make it negative, shown as zero.</summary>
    private static double? Between(double? from, double? to) =>
        from is { } a && to is { } b && double.IsFinite(a) && double.IsFinite(b) ? Math.Round(Math.Max(0, b - a), 6) : null;
}

using Ingest.Storage;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// A task as Flower's <c>Task.as_dict()</c> shows it (its keys, <c>null</c> for what Ingest does not keep: client,
/// clock, exchange), from an Ingest invocation. Times are Unix seconds, as Flower gives them.
/// </summary>
internal static class FlowerTaskView
{
    /// <summary>The task's dictionary; <paramref name="idKey"/> is <c>uuid</c> in lists and <c>task-id</c> in <c>task/info</c>.</summary>
    public static SortedDictionary<string, object?> Of(InvocationRecord r, string idKey = "uuid") => new(StringComparer.Ordinal)
    {
        [idKey] = r.TaskId,
        ["args"] = r.Args,
        ["client"] = null,
        ["clock"] = 0,
        ["eta"] = r.Eta,
        ["exception"] = r.Exception,
        ["exchange"] = null,
        ["expires"] = r.Expires,
        ["failed"] = r.State == TaskStates.Failure ? r.FinishedAt ?? r.StateAt : null,
        ["kwargs"] = r.Kwargs,
        ["name"] = r.Name,
        ["received"] = r.ReceivedAt,
        ["result"] = r.Result,
        ["retried"] = r.State == TaskStates.Retry ? r.StateAt : null,
        ["retries"] = r.Retries,
        ["revoked"] = r.State == TaskStates.Revoked ? r.FinishedAt ?? r.StateAt : null,
        ["root_id"] = r.RootId,
        ["parent_id"] = r.ParentId,
        ["routing_key"] = r.Queue,
        ["runtime"] = r.RuntimeSeconds,
        ["sent"] = r.SentAt,
        ["started"] = r.StartedAt,
        ["state"] = r.State,
        ["succeeded"] = r.State == TaskStates.Success ? r.FinishedAt ?? r.StateAt : null,
        ["timestamp"] = r.StateAt,
        ["traceback"] = r.Traceback,
        ["worker"] = r.Worker,
    };
}

namespace Ingest.Storage.Audit;

/// <summary>
/// One control action or refusal (issue 27): who asked, when, what, on what, and how it ended, with the workers'
/// replies. Every text field is bounded by <see cref="AuditBuffer"/> before it is stored.
/// </summary>
/// <param name="At">When the request was answered, Unix seconds.</param>
/// <param name="User">The caller's name; null without a credential (a 401) or with <c>--no-auth</c>.</param>
/// <param name="Action">The Flower route's action, e.g. <c>task.revoke</c>, <c>worker.pool_grow</c>.</param>
/// <param name="Target">The task id, task name or worker the action names.</param>
/// <param name="Arguments">The command's arguments as a JSON object.</param>
/// <param name="Outcome">One of <see cref="AuditOutcomes"/>.</param>
/// <param name="Status">The HTTP status the caller got.</param>
/// <param name="Reason">Why it was refused or failed; null when it went through.</param>
/// <param name="Replies">The workers' replies as a JSON object <c>{worker: reply}</c>; null when nothing was sent.</param>
/// <param name="Missing">The workers that did not answer, as a JSON array; null when nothing was sent.</param>
public sealed record AuditEntry(
    double At,
    string? User,
    string Action,
    string? Target,
    string Arguments,
    string Outcome,
    int Status,
    string? Reason = null,
    string? Replies = null,
    string? Missing = null);

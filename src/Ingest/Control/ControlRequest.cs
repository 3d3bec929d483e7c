namespace Ingest.Control;

/// <summary>
/// One remote-control command as <c>celery.app.control</c> builds it: the method name (<c>revoke</c>,
/// <c>rate_limit</c>, <c>ping</c>, ...), its keyword arguments as JSON-ready values, and the workers it is for (null
/// or empty: every worker).
/// </summary>
/// <param name="Command">Celery's method name, e.g. <c>pool_grow</c>.</param>
/// <param name="Arguments">The command's keyword arguments (strings, numbers, booleans, lists, null).</param>
/// <param name="Destination">Worker hostnames (<c>celery@host</c>) the command is for; null or empty broadcasts.</param>
/// <param name="Timeout">How long replies are collected.</param>
/// <param name="ExpectReply">False for fire-and-forget commands (Celery's <c>reply=False</c>).</param>
public sealed record ControlRequest(
    string Command,
    IReadOnlyDictionary<string, object?> Arguments,
    IReadOnlyList<string>? Destination,
    TimeSpan Timeout,
    bool ExpectReply = true);

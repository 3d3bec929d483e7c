using System.Text.Json;

namespace Ingest.Control;

/// <summary>One worker's answer to a command, as the worker sent it (<c>{"ok": ...}</c>, <c>{"error": ...}</c> or an inspection's value).</summary>
/// <param name="Worker">The worker's hostname, e.g. <c>celery@host</c>.</param>
/// <param name="Body">The reply body for that worker.</param>
public sealed record WorkerReply(string Worker, JsonElement Body);

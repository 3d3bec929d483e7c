using System.Text.Json;

namespace Ingest.Control;

/// <summary>A task to send, as Celery's <c>send_task</c> takes it.</summary>
/// <param name="Id">The new task's id (a UUID Ingest makes).</param>
/// <param name="Name">The task's registered name, e.g. <c>tasks.add</c>.</param>
/// <param name="Args">Positional arguments: a JSON array.</param>
/// <param name="Kwargs">Keyword arguments: a JSON object.</param>
/// <param name="Queue">The queue it is routed to (its routing key on the default exchange).</param>
/// <param name="Countdown">Seconds to wait before running; null: at once.</param>
/// <param name="Expires">When it expires, ISO 8601; null: never.</param>
public sealed record TaskMessage(string Id, string Name, JsonElement Args, JsonElement Kwargs, string Queue, double? Countdown = null, string? Expires = null);

using System.Globalization;
using System.Text.Json;

namespace Ingest.Control;

/// <summary>
/// A <see cref="TaskMessage"/> as Celery's protocol 2 carries it, built as <c>celery.app.amqp.as_task_v2</c> (Celery
/// 5.2) builds it: the headers a worker reads the task from, the <c>[args, kwargs, embed]</c> JSON body, and the
/// properties both transports add. Shared by the AMQP and Redis publishers so that both send the same message.
/// </summary>
internal sealed class CeleryTaskMessage
{
    /// <summary>Largest body (args and kwargs as JSON, and the empty embed) published: a task message, not a file transfer.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The content type Celery's JSON serializer sets.</summary>
    public const string ContentType = "application/json";

    /// <summary>The content encoding Celery's JSON serializer sets.</summary>
    public const string ContentEncoding = "utf-8";

    // What the worker sees as the sender (Celery puts anon_nodename(), gen{pid}@{host}, there): this one says who.
    private static readonly string s_origin = "ingest@" + Environment.MachineName;

    private CeleryTaskMessage(string id, string queue, IReadOnlyList<KeyValuePair<string, object?>> headers, byte[] body, string? expiration)
    {
        Id = id;
        Queue = queue;
        Headers = headers;
        Body = body;
        Expiration = expiration;
    }

    /// <summary>The task's id, also the <c>correlation_id</c> property.</summary>
    public string Id { get; }

    /// <summary>The queue: the routing key on the default exchange.</summary>
    public string Queue { get; }

    /// <summary>
    /// The protocol 2 headers in Celery's order. Values are strings, longs, booleans, nulls and arrays of those, which
    /// both an AMQP field table and JSON carry.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Headers { get; }

    /// <summary>The UTF-8 JSON body <c>[args, kwargs, {"callbacks", "errbacks", "chain", "chord"}]</c>.</summary>
    public byte[] Body { get; }

    /// <summary>
    /// The <c>expiration</c> property Celery's <c>send_task</c> adds when the task expires: milliseconds left, as
    /// text (RabbitMQ drops the message when it passes; kombu's Redis transport keeps it as a label). Null: none.
    /// </summary>
    public string? Expiration { get; }

    /// <summary>
    /// Builds the message for <paramref name="message"/>, its countdown made an <c>eta</c> from <paramref name="time"/>.
    /// Throws <see cref="ArgumentException"/> with the reason for a body over <see cref="MaxBodyBytes"/>, args
    /// that are not an array, kwargs not an object, a negative countdown or an expiry that is not ISO 8601.
    /// </summary>
    public static CeleryTaskMessage From(TaskMessage message, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(time);
        if (message.Args.ValueKind != JsonValueKind.Array || message.Kwargs.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("a task's args must be a JSON array and its kwargs a JSON object", nameof(message));
        }

        var body = EncodeBody(message);
        if (body.Length > MaxBodyBytes)
        {
            throw new ArgumentException($"the task's args and kwargs are over {MaxBodyBytes} bytes as JSON: Ingest publishes no task message that large", nameof(message));
        }

        var now = time.GetUtcNow();
        string? eta = null;
        if (message.Countdown is { } countdown)
        {
            // Celery's _verify_seconds: a countdown below zero is refused, zero means at once.
            if (double.IsNaN(countdown) || countdown < 0 || countdown > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                throw new ArgumentException($"countdown must be seconds from 0, not {countdown.ToString(CultureInfo.InvariantCulture)}", nameof(message));
            }

            eta = countdown > 0 ? Iso8601(now.AddSeconds(countdown)) : null;
        }

        string? expires = null;
        string? expiration = null;
        if (message.Expires is { } text)
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                throw new ArgumentException($"expires must be an ISO 8601 date and time, not '{text}'", nameof(message));
            }

            expires = Iso8601(at);
            // send_task: an expiry already past becomes 0, which the worker sees and marks the task REVOKED.
            var left = Math.Max(0, (long)(at - now).TotalMilliseconds);
            expiration = left.ToString(CultureInfo.InvariantCulture);
        }

        List<KeyValuePair<string, object?>> headers =
        [
            new("lang", "py"),
            new("task", message.Name),
            new("id", message.Id),
            new("shadow", null),
            new("eta", eta),
            new("expires", expires),
            new("group", null),
            new("group_index", null),
            new("retries", 0L),
            new("timelimit", new object?[] { null, null }),
            new("root_id", message.Id),
            new("parent_id", null),
            new("argsrepr", SafeRepr.OfArgs(message.Args)),
            new("kwargsrepr", SafeRepr.Of(message.Kwargs)),
            new("origin", s_origin),
            new("ignore_result", false),
        ];
        return new CeleryTaskMessage(message.Id, message.Queue, headers, body, expiration);
    }

    /// <summary>Writes <see cref="Headers"/> as a JSON object (kombu's Redis envelope carries them so).</summary>
    public void WriteHeaders(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var (name, value) in Headers)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    // Python's datetime.isoformat() of an aware UTC time: microseconds only when there are any, as Celery writes it.
    private static string Iso8601(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        var format = utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'+00:00'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }

    private static byte[] EncodeBody(TaskMessage message)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            message.Args.WriteTo(w);
            message.Kwargs.WriteTo(w);
            w.WriteStartObject();
            w.WriteNull("callbacks");
            w.WriteNull("errbacks");
            w.WriteNull("chain");
            w.WriteNull("chord");
            w.WriteEndObject();
            w.WriteEndArray();
        }

        return stream.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case long n:
                writer.WriteNumberValue(n);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case object?[] items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"no JSON form for a {value.GetType().Name} header");
        }
    }
}

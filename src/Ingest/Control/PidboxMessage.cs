using System.Text.Json;

namespace Ingest.Control;

/// <summary>
/// The body <c>kombu.pidbox.Mailbox._publish</c> sends: <c>{"method", "arguments", "destination", "pattern",
/// "matcher"}</c>, plus <c>"ticket"</c> and <c>"reply_to": {"exchange", "routing_key"}</c> when replies are wanted.
/// The worker's <c>Node.dispatch(**body)</c> takes these keys as they are, so the names are Celery's, not ours.
/// </summary>
internal static class PidboxMessage
{
    /// <summary>The JSON body of <paramref name="request"/>; <paramref name="ticket"/> and <paramref name="replyRoutingKey"/> are null for a cast.</summary>
    public static byte[] Body(ControlRequest request, string? ticket, string replyExchange, string? replyRoutingKey)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("method", request.Command);
            w.WritePropertyName("arguments");
            w.WriteStartObject();
            foreach (var (key, value) in request.Arguments)
            {
                w.WritePropertyName(key);
                WriteValue(w, value);
            }

            w.WriteEndObject();
            w.WritePropertyName("destination");
            if (request.Destination is { Count: > 0 } destination)
            {
                WriteValue(w, destination);
            }
            else
            {
                w.WriteNullValue();
            }

            w.WriteNull("pattern");
            w.WriteNull("matcher");
            if (ticket is not null)
            {
                w.WriteString("ticket", ticket);
                w.WriteStartObject("reply_to");
                w.WriteString("exchange", replyExchange);
                w.WriteString("routing_key", replyRoutingKey);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// kombu's <c>expires</c> header: the Unix time after which the reply is of no use (<c>time() + timeout</c>).
    /// </summary>
    public static double Expires(TimeProvider time, TimeSpan timeout) =>
        (time.GetUtcNow() + timeout).ToUnixTimeMilliseconds() / 1000.0;

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case JsonElement e:
                e.WriteTo(w);
                break;
            case IEnumerable<string> list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    w.WriteStringValue(item);
                }

                w.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"a control argument of type {value.GetType().Name} cannot be sent; use text, numbers, booleans or lists of text");
        }
    }
}

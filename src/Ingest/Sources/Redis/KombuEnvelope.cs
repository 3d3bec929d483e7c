using Ingest.Accounting;
using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Ingest.Decoding;

namespace Ingest.Sources.Redis;

/// <summary>
/// kombu's JSON envelope around a message on Redis: <c>{"body": ..., "content-type": ..., "content-encoding": ...,
/// "headers": {"compression": ...}, "properties": {"body_encoding": "base64", ...}, ...}</c>. The body is usually
/// base64 of the event JSON; the labels say what it is, as AMQP's properties do.
/// </summary>
internal static class KombuEnvelope
{
    /// <summary>
    /// Writes the event body into <paramref name="body"/> and its labels into <paramref name="content"/>; false with
    /// a reason and an (escaped) error when the envelope is not one or its body does not decode.
    /// </summary>
    public static bool TryGetBody(ReadOnlySpan<byte> envelope, ArrayBufferWriter<byte> body, out BodyContent content, out RejectReason reason, out string error)
    {
        content = default;
        reason = RejectReason.MalformedJson;
        error = string.Empty;
        try
        {
            using var doc = JsonDocument.Parse(envelope.ToArray(), new JsonDocumentOptions { MaxDepth = CeleryEventDecoder.MaxDepth });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("body", out var b) || b.ValueKind != JsonValueKind.String)
            {
                error = "not a kombu envelope (no body)";
                return false;
            }

            content = new BodyContent(Text(root, "content-type"), Text(root, "content-encoding"),
                root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object ? Text(headers, "compression") : null);
            var encoding = root.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? Text(p, "body_encoding") : null;
            var text = b.GetString()!;
            if (encoding is null)
            {
                body.Write(System.Text.Encoding.UTF8.GetBytes(text));
                return true;
            }

            if (encoding != "base64")
            {
                reason = RejectReason.UnsupportedEncoding;
                error = $"body_encoding '{EscapedSample.Of(encoding)}' is not base64";
                return false;
            }

            var span = body.GetSpan(Base64.GetMaxDecodedFromUtf8Length(text.Length));
            if (!Convert.TryFromBase64String(text, span, out var written))
            {
                reason = RejectReason.UnsupportedEncoding;
                error = "the body is not valid base64";
                return false;
            }

            body.Advance(written);
            return true;
        }
        catch (JsonException e)
        {
            var deep = JsonNesting.Exceeds(envelope, CeleryEventDecoder.MaxDepth);
            reason = deep ? RejectReason.NestingTooDeep : RejectReason.MalformedJson;
            error = deep ? $"the envelope is JSON nested deeper than {CeleryEventDecoder.MaxDepth} levels" : $"the envelope is not JSON: {EscapedSample.Of(e.Message, 256)}";
            return false;
        }
    }

    /// <summary>A string property's value; null when absent or not a string.</summary>
    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

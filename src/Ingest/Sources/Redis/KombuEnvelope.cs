using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Ingest.Sources.Redis;

/// <summary>
/// kombu's JSON envelope around a message on Redis: <c>{"body": ..., "content-encoding": ..., "properties":
/// {"body_encoding": "base64", ...}, ...}</c>. The body is usually base64 of the event JSON.
/// </summary>
internal static class KombuEnvelope
{
    /// <summary>Writes the event body into <paramref name="body"/>; false with a reason when the envelope is not one.</summary>
    public static bool TryGetBody(ReadOnlySpan<byte> envelope, ArrayBufferWriter<byte> body, out string error)
    {
        error = string.Empty;
        try
        {
            using var doc = JsonDocument.Parse(envelope.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("body", out var b) || b.ValueKind != JsonValueKind.String)
            {
                error = "not a kombu envelope (no body)";
                return false;
            }

            var base64 = root.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("body_encoding", out var enc) && enc.ValueKind == JsonValueKind.String && enc.GetString() == "base64";
            var text = b.GetString()!;
            if (!base64)
            {
                body.Write(System.Text.Encoding.UTF8.GetBytes(text));
                return true;
            }

            var span = body.GetSpan(Base64.GetMaxDecodedFromUtf8Length(text.Length));
            if (!Convert.TryFromBase64String(text, span, out var written))
            {
                error = "the body is not valid base64";
                return false;
            }

            body.Advance(written);
            return true;
        }
        catch (JsonException e)
        {
            error = $"the envelope is not JSON: {e.Message}";
            return false;
        }
    }
}

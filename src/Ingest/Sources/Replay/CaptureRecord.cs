using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Ingest.Decoding;

namespace Ingest.Sources.Replay;

/// <summary>
/// Reads one capture line (the <c>messages.jsonl</c> format): the message body from <c>body_b64</c>, its
/// <c>captured_at</c> (null when absent: judged against now), and its labels (<c>content_type</c>,
/// <c>content_encoding</c>, <c>headers.compression</c>) as the broker delivered them.
/// </summary>
internal static class CaptureRecord
{
    /// <summary>The properties read, each a bit of the set seen (a second one sends the line to the document reader).</summary>
    private enum Field { Body, CapturedAt, ContentType, ContentEncoding, Headers, Compression }

    /// <summary>
    /// The common line, read straight from its UTF-8 bytes into <paramref name="scratch"/> (grown as needed): no
    /// string of the line, no document, no array per body (issue 29). False whenever the line is anything but plain
    /// (not JSON, a duplicate key, an escaped or bad base64 string, text that is not UTF-8): the caller then reads it
    /// with <see cref="TryParse(string, out byte[], out double?, out BodyContent)"/>, which decides as replay always did.
    /// </summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> line, ref byte[] scratch, out int bodyLength, out double? capturedAt, out BodyContent content)
    {
        bodyLength = 0;
        capturedAt = null;
        content = default;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var seen = 0;
            var body = ReadOnlySpan<byte>.Empty;
            string? contentType = null, encoding = null, compression = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("body_b64"u8) ? Field.Body
                    : reader.ValueTextEquals("captured_at"u8) ? Field.CapturedAt
                    : reader.ValueTextEquals("content_type"u8) ? Field.ContentType
                    : reader.ValueTextEquals("content_encoding"u8) ? Field.ContentEncoding
                    : reader.ValueTextEquals("headers"u8) ? Field.Headers : (Field?)null;
                reader.Read();
                if (field is not { } f)
                {
                    reader.Skip();
                    continue;
                }

                // A duplicate key is left to the document reader, whose choice between the two replay has always made.
                if ((seen & (1 << (int)f)) != 0)
                {
                    return false;
                }

                seen |= 1 << (int)f;
                switch (f)
                {
                    case Field.Body:
                        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
                        {
                            return false;
                        }

                        body = reader.ValueSpan;
                        break;
                    case Field.CapturedAt:
                        capturedAt = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds)
                            && double.IsFinite(seconds) && seconds > 0 ? seconds : null;
                        reader.Skip();
                        break;
                    case Field.ContentType: contentType = Label(ref reader, "application/json"u8, "application/json"); break;
                    case Field.ContentEncoding: encoding = Label(ref reader, "utf-8"u8, "utf-8"); break;
                    case Field.Headers:
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            break;
                        }

                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var isCompression = reader.ValueTextEquals("compression"u8);
                            reader.Read();
                            if (!isCompression)
                            {
                                reader.Skip();
                                continue;
                            }

                            if ((seen & (1 << (int)Field.Compression)) != 0)
                            {
                                return false;
                            }

                            seen |= 1 << (int)Field.Compression;
                            compression = Label(ref reader, "zlib"u8, "zlib");
                        }

                        break;
                }
            }

            // The whole line must be one JSON object, as the document reader requires.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || (seen & (1 << (int)Field.Body)) == 0)
            {
                return false;
            }

            var room = Base64.GetMaxDecodedFromUtf8Length(body.Length);
            if (scratch.Length < room)
            {
                scratch = new byte[Math.Max(room, scratch.Length * 2)];
            }

            if (Base64.DecodeFromUtf8(body, scratch, out var consumed, out bodyLength) != OperationStatus.Done || consumed != body.Length)
            {
                return false;
            }

            content = new BodyContent(contentType, encoding, compression);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The body of one capture line, its capture time and labels, read through a JSON document.</summary>
    public static bool TryParse(string line, out byte[] body, out double? capturedAt, out BodyContent content)
    {
        body = [];
        capturedAt = null;
        content = default;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("body_b64", out var b64) || b64.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            body = b64.GetBytesFromBase64();
            if (doc.RootElement.TryGetProperty("captured_at", out var at) && at.ValueKind == JsonValueKind.Number
                && at.TryGetDouble(out var seconds) && double.IsFinite(seconds) && seconds > 0)
            {
                capturedAt = seconds;
            }

            var root = doc.RootElement;
            content = new BodyContent(Text(root, "content_type"), Text(root, "content_encoding"),
                root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object ? Text(headers, "compression") : null);
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A string property's value; null when absent or not a string.</summary>
    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A label's text (null when not a string); the usual value is one shared string, not a new one per line.</summary>
    private static string? Label(ref Utf8JsonReader reader, ReadOnlySpan<byte> usual, string usualText)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        return reader.ValueTextEquals(usual) ? usualText : reader.GetString();
    }
}

using Ingest.Accounting;
using System.IO.Compression;

namespace Ingest.Decoding;

/// <summary>
/// Judges a body by its labels (<see cref="BodyContent"/>) before anything reads it, and undoes kombu's or HTTP's
/// compression with a hard cap on what it inflates to. A body Ingest cannot read is refused here by name, so that a
/// pickle, a YAML body or a bomb is counted as what it is, not as malformed JSON (issue 24).
/// </summary>
internal static class BodyUnwrapper
{
    /// <summary>The compression labels inflated: kombu's (<c>application/x-gzip</c> and its aliases) and HTTP's.</summary>
    private static readonly string[] s_inflated = ["application/x-gzip", "gzip", "x-gzip", "zlib", "deflate"];

    /// <summary>
    /// Null when the labels say JSON in UTF-8 (or say nothing); otherwise why not, with <paramref name="error"/>.
    /// <paramref name="compressed"/> is true when the body is zlib or gzip and must go through <see cref="Inflate"/>.
    /// </summary>
    public static RejectReason? Check(BodyContent content, out bool compressed, out string? error)
    {
        compressed = false;
        error = null;
        var (mediaType, charsetParameter) = Split(content.ContentType);
        if (mediaType.Length > 0 && !IsJson(mediaType))
        {
            error = $"content type '{EscapedSample.Of(content.ContentType)}' is not JSON (Celery's event_serializer must be json)";
            return RejectReason.UnsupportedContentType;
        }

        var charset = content.Charset ?? charsetParameter;
        if (!IsUtf8(charset))
        {
            error = $"content encoding '{EscapedSample.Of(charset)}' is not UTF-8";
            return RejectReason.UnsupportedEncoding;
        }

        var compression = content.Compression.AsSpan().Trim();
        if (compression.IsEmpty || compression.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // kombu's 'gzip' and 'zlib' are one codec, application/x-gzip, and it is zlib.compress; HTTP's deflate is
        // zlib too. Real gzip is told by its magic bytes in Inflate.
        foreach (var name in s_inflated)
        {
            if (compression.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                compressed = true;
                return null;
            }
        }

        error = $"compression '{EscapedSample.Of(content.Compression)}' is not one Ingest reads (zlib, gzip)";
        return RejectReason.UnsupportedEncoding;
    }

    /// <summary>
    /// The inflated body, in the first <paramref name="length"/> bytes of the array; null with a reason when it
    /// inflates past <paramref name="maxBytes"/> (inflating stops there, so a bomb costs at most that much memory) or
    /// does not inflate at all.
    /// </summary>
    public static byte[]? Inflate(ReadOnlySpan<byte> body, int maxBytes, out int length, out RejectReason reason, out string? error)
    {
        length = 0;
        reason = default;
        error = null;
        var gzip = body.Length >= 2 && body[0] == 0x1f && body[1] == 0x8b;
        using var input = new MemoryStream(body.ToArray(), writable: false);
        using Stream inflater = gzip ? new GZipStream(input, CompressionMode.Decompress) : new ZLibStream(input, CompressionMode.Decompress);
        var buffer = new byte[(int)Math.Min(maxBytes + 1L, Math.Max(4096L, body.Length * 4L))];
        try
        {
            int read;
            while ((read = inflater.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    reason = RejectReason.DecompressedTooLarge;
                    error = $"compressed body of {body.Length} bytes inflates past the limit of {maxBytes} bytes";
                    return null;
                }

                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
                }
            }
        }
        catch (InvalidDataException e)
        {
            reason = RejectReason.UnsupportedEncoding;
            error = $"the {(gzip ? "gzip" : "zlib")} body does not decompress: {e.Message}";
            return null;
        }

        return buffer;
    }

    /// <summary>The media type (no parameters) and the <c>charset</c> parameter, if any. Celery's plain label allocates nothing.</summary>
    private static (string MediaType, string? Charset) Split(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return ("", null);
        }

        if (!contentType.Contains(';', StringComparison.Ordinal))
        {
            return (contentType.Trim(), null);
        }

        var parts = contentType.Split(';', StringSplitOptions.TrimEntries);
        string? charset = null;
        foreach (var parameter in parts.AsSpan(1))
        {
            if (parameter.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
            {
                charset = parameter["charset=".Length..].Trim('"');
            }
        }

        return (parts[0], charset);
    }

    /// <summary><c>application/json</c>, or a structured <c>+json</c> type (RFC 6839), as HTTP ingest takes them.</summary>
    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>UTF-8 or a subset of it; kombu labels bytes it was handed ready-made <c>binary</c>, and JSON is read as bytes.</summary>
    private static bool IsUtf8(string? charset)
    {
        var name = charset.AsSpan().Trim();
        return name.IsEmpty || name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            || name.Equals("us-ascii", StringComparison.OrdinalIgnoreCase) || name.Equals("ascii", StringComparison.OrdinalIgnoreCase)
            || name.Equals("binary", StringComparison.OrdinalIgnoreCase);
    }
}

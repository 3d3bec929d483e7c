using System.Text;

namespace Ingest.Decoding;

/// <summary>
/// A short, printable excerpt of something a sender controls (a body's first bytes, a content-type label) for a
/// log line or an error message: printable ASCII as it is, every other byte as <c>\xNN</c>, cut with the full
/// length noted. A pickle shows as <c>\x80\x04\x95…</c>, a gzip body as <c>\x1f\x8b…</c>, and no sample can
/// carry a newline, an escape sequence or a NUL into a log.
/// </summary>
internal static class EscapedSample
{
    /// <summary>Bytes shown at most, by default.</summary>
    public const int MaxBytes = 64;

    /// <summary>The first <paramref name="maxBytes"/> bytes, escaped; <c>(empty)</c> for none.</summary>
    public static string Of(ReadOnlySpan<byte> bytes, int maxBytes = MaxBytes)
    {
        if (bytes.IsEmpty)
        {
            return "(empty)";
        }

        var shown = bytes[..Math.Min(bytes.Length, maxBytes)];
        var text = new StringBuilder(shown.Length + 16);
        foreach (var b in shown)
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(b == (byte)'\\' ? @"\\" : $"\\x{b:x2}");
            }
        }

        if (shown.Length < bytes.Length)
        {
            text.Append($"… ({bytes.Length} bytes)");
        }

        return text.ToString();
    }

    /// <summary>A label or message as UTF-8, escaped the same way; <c>(none)</c> for null.</summary>
    public static string Of(string? text, int maxBytes = MaxBytes) => text is null ? "(none)" : Of(Encoding.UTF8.GetBytes(text), maxBytes);
}

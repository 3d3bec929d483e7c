using System.Buffers;
using System.Globalization;
using System.Text;

namespace Ingest.Decoding;

/// <summary>
/// Decodes a JSON string token's raw bytes when <c>Utf8JsonReader.GetString</c> refuses them: Python's
/// <c>json.dumps</c> writes lone surrogates as <c>\udcff</c> escapes, and other publishers may send invalid
/// UTF-8. Both become U+FFFD; everything else decodes exactly as the strict reader would.
/// </summary>
internal static class LenientJsonString
{
    public static string Decode(ReadOnlySpan<byte> raw)
    {
        var builder = new StringBuilder(raw.Length);
        var runStart = 0;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] != (byte)'\\')
            {
                i++;
                continue;
            }

            AppendUtf8(builder, raw[runStart..i]);
            i = AppendEscape(builder, raw, i);
            runStart = i;
        }

        AppendUtf8(builder, raw[runStart..]);
        return builder.ToString();
    }

    private static void AppendUtf8(StringBuilder builder, ReadOnlySpan<byte> run)
    {
        if (!run.IsEmpty)
        {
            // Encoding.UTF8 replaces each invalid sequence with U+FFFD rather than throwing.
            builder.Append(Encoding.UTF8.GetString(run));
        }
    }

    /// <summary>Appends the escape at <paramref name="i"/> and returns the index after it.</summary>
    private static int AppendEscape(StringBuilder builder, ReadOnlySpan<byte> raw, int i)
    {
        if (i + 1 >= raw.Length)
        {
            builder.Append('\uFFFD');
            return raw.Length;
        }

        var c = raw[i + 1];
        switch (c)
        {
            case (byte)'n': builder.Append('\n'); return i + 2;
            case (byte)'t': builder.Append('\t'); return i + 2;
            case (byte)'r': builder.Append('\r'); return i + 2;
            case (byte)'b': builder.Append('\b'); return i + 2;
            case (byte)'f': builder.Append('\f'); return i + 2;
            case (byte)'u':
                break;
            default: builder.Append((char)c); return i + 2;
        }

        if (!TryHex(raw, i + 2, out var unit))
        {
            builder.Append('\uFFFD');
            return Math.Min(raw.Length, i + 2);
        }

        var next = i + 6;
        if (char.IsHighSurrogate(unit))
        {
            if (next + 1 < raw.Length && raw[next] == (byte)'\\' && raw[next + 1] == (byte)'u'
                && TryHex(raw, next + 2, out var low) && char.IsLowSurrogate(low))
            {
                builder.Append(unit).Append(low);
                return next + 6;
            }

            builder.Append('\uFFFD');
            return next;
        }

        builder.Append(char.IsLowSurrogate(unit) ? '\uFFFD' : unit);
        return next;
    }

    private static bool TryHex(ReadOnlySpan<byte> raw, int start, out char value)
    {
        value = default;
        if (start + 4 > raw.Length)
        {
            return false;
        }

        Span<char> hex = stackalloc char[4];
        for (var k = 0; k < 4; k++)
        {
            hex[k] = (char)raw[start + k];
        }

        if (!ushort.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u))
        {
            return false;
        }

        value = (char)u;
        return true;
    }
}

using System.Buffers;
using System.Text;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// The one way a value enters ClickHouse SQL. 18.16 has no query parameters, so every string, number and date in a
/// query is a literal written here; names (database, cluster, tables) are never escaped, only checked
/// (<see cref="ClickHouseEndpoint.CheckName"/>), and inserted data travels as JSONEachRow, not as SQL.
/// </summary>
public static class ClickHouseSql
{
    private static readonly SearchValues<byte> s_plain = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Select(b => (byte)b).Where(b => b is not (byte)'\\' and not (byte)'\'').ToArray());

    /// <summary>
    /// A ClickHouse string literal whose value is the UTF-8 encoding of <paramref name="value"/>. A lone surrogate
    /// (a string no UTF-8 can hold) becomes U+FFFD, as every UTF-8 encoder in .NET writes it.
    /// </summary>
    public static string Quote(string value) => Quote(Encoding.UTF8.GetBytes(value));

    /// <summary>
    /// A ClickHouse string literal whose value is exactly <paramref name="bytes"/>, valid UTF-8 or not. Printable
    /// ASCII stays as it is but for <c>\</c> and <c>'</c>, which take a backslash; every control byte, DEL, and
    /// every byte of an invalid UTF-8 sequence is written <c>\xHH</c>; valid multi-byte sequences stay as they are,
    /// so a literal is as readable as its text. The literal is pure ASCII plus valid UTF-8, whatever came in, so the
    /// HTTP body that carries it is valid UTF-8 too.
    /// </summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        sb.Append('\'');
        while (!bytes.IsEmpty)
        {
            var plain = bytes.IndexOfAnyExcept(s_plain);
            if (plain < 0)
            {
                plain = bytes.Length;
            }

            for (var i = 0; i < plain; i++)
            {
                sb.Append((char)bytes[i]);
            }

            bytes = bytes[plain..];
            if (bytes.IsEmpty)
            {
                break;
            }

            var b = bytes[0];
            if (b is (byte)'\\' or (byte)'\'')
            {
                sb.Append('\\').Append((char)b);
                bytes = bytes[1..];
            }
            else if (b >= 0x80 && Rune.DecodeFromUtf8(bytes, out var rune, out var length) == OperationStatus.Done)
            {
                sb.Append(rune.ToString());
                bytes = bytes[length..];
            }
            else
            {
                sb.Append(@"\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                bytes = bytes[1..];
            }
        }

        return sb.Append('\'').ToString();
    }

    /// <summary>A date literal (<c>'2026-12-06'</c>) from a date, for partition and day filters.</summary>
    public static string Date(DateOnly day) => Quote(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A partition id of a day-partitioned table (<c>toYYYYMMDD</c>), as <c>DROP PARTITION</c> takes it.</summary>
    public static string PartitionId(DateOnly day) => day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A Float64 literal that reads back as the same double (round-trip format, invariant culture).</summary>
    public static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(value), value, "not a finite number");

    /// <summary>An integer literal.</summary>
    public static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

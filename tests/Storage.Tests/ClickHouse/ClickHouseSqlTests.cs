using System.Text;
using CsCheck;
using Ingest.Storage.ClickHouse;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// The one escaping function, checked where it matters: a real 18.16 server reads every literal back as the very
/// bytes that went in, whatever the string (quotes, backslashes, control characters, NUL, lone surrogates, invalid
/// UTF-8, SQL that tries to break out).
/// </summary>
public sealed class ClickHouseSqlTests : IDisposable
{
    private static readonly string[] s_hostile =
    [
        "", "'", "\\", "\\'", "'\\", "''", "\\\\'", "\0", "a\0b", "\r\n\t\b\f\v", "\x7F", "\u0085\u2028\u2029", "é€😀", "\uD800", "\uDC00x", "x\uD83D",
        "'; DROP DATABASE default; --", "\\'; SELECT 1; --", "' OR 1=1 --", "\\x27", "\\0", "\\N", "{x:String}", "$$", "`", "\"", "\\u0027",
    ];

    private static readonly Gen<string> s_hostileString = Gen.OneOf(
        Gen.OneOf(s_hostile.Select(Gen.Const).ToArray()).Array[1, 4].Select(parts => string.Concat(parts)),
        Gen.Char.Array[0, 40].Select(c => new string(c)),
        Gen.Char["'\\\0\n\r\t\x1F\x7F\uD800\uDC00\uFFFF\u00E9a; -"].Array[0, 30].Select(c => new string(c)));

    private readonly ClickHouseClient _client = ClickHouseTestServer.FreshClient();

    [Fact]
    public void Quote_QuoteAndBackslash_AreEscapedWithABackslash() =>
        Assert.Equal(@"'a\'b\\c'", ClickHouseSql.Quote("a'b\\c"));

    [Fact]
    public void Quote_ControlCharacters_AreWrittenAsHexEscapes() =>
        Assert.Equal(@"'\x00\x0A\x7F'", ClickHouseSql.Quote("\0\n\x7F"));

    [Fact]
    public void Quote_InvalidUtf8_IsWrittenByteForByteAndTheLiteralIsValidUtf8()
    {
        var literal = ClickHouseSql.Quote([0x61, 0xFF, 0xC3, 0xA9, 0xC3, 0x28, 0xED, 0xA0, 0x80]);

        Assert.Equal(@"'a\xFFé\xC3(\xED\xA0\x80'", literal);
    }

    [Fact]
    public void Quote_HostileStrings_ReadBackAsTheirUtf8BytesFromTheServer()
    {
        foreach (var value in s_hostile)
        {
            Assert.Equal(Hex(Encoding.UTF8.GetBytes(value)), SelectHex(ClickHouseSql.Quote(value)));
        }
    }

    [Fact]
    public void Quote_AnyString_ReadsBackAsItsUtf8BytesFromTheServer() =>
        s_hostileString.Sample(
            value => SelectHex(ClickHouseSql.Quote(value)) == Hex(Encoding.UTF8.GetBytes(value)),
            iter: 300);

    [Fact]
    public void Quote_AnyBytes_ReadBackAsTheSameBytesFromTheServer() =>
        Gen.Byte.Array[0, 40].Sample(
            bytes => SelectHex(ClickHouseSql.Quote(bytes)) == Hex(bytes),
            iter: 300);

    [Fact]
    public void Quote_ManyLiteralsInOneQuery_EachStaysOneValue()
    {
        // A literal that broke out would shift or merge the columns: three in, three out, each its own bytes.
        string[] values = ["a', 'b", "\\", "c'"];

        var answer = _client.Query($"SELECT {string.Join(", ", values.Select(v => $"hex({ClickHouseSql.Quote(v)})"))} FORMAT TabSeparated").TrimEnd('\n');

        Assert.Equal(values.Select(v => Hex(Encoding.UTF8.GetBytes(v))), answer.Split('\t'));
    }

    public void Dispose()
    {
        _client.QueryServer($"DROP DATABASE IF EXISTS {_client.Endpoint.Database}");
        _client.Dispose();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private string SelectHex(string literal) => _client.Query($"SELECT hex({literal}) FORMAT TabSeparated").TrimEnd('\n');
}

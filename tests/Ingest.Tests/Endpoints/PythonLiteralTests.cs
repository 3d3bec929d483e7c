using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Ingest.Endpoints;

namespace Ingest.Tests.Endpoints;

/// <summary>Issue 27 (Run again): Celery's argsrepr and kwargsrepr read back into JSON, and everything else refused.</summary>
public sealed class PythonLiteralTests
{
    /// <summary>Each input is what python3's repr() printed for the value the JSON describes.</summary>
    public static TheoryData<string, string> Reprs() => new()
    {
        { "(1, 'a', 2.5, None, True, False)", """[1,"a",2.5,null,true,false]""" },
        { "()", "[]" },
        { "('x',)", """["x"]""" },
        { "{}", "{}" },
        { """({'order_id': 12345, 'items': [1, [2, (3,)]], 'note': 'it\'s "quoted"\n\ttab \\ back'},)""",
            """[{"order_id":12345,"items":[1,[2,[3]]],"note":"it's \"quoted\"\n\ttab \\ back"}]""" },
        { """('café € 😀 \x00\x7f\u200b',)""", """["café € 😀 \u0000\u007f\u200b"]""" },
        { "(-1, -0.0, 1e+16, 1.5e-05, 1000000000000000000000000000000, 0.1)", "[-1,-0.0,1e+16,1.5e-05,1000000000000000000000000000000,0.1]" },
        { """("'",)""", """["'"]""" },
        { """('\'"',)""", """["'\""]""" },
        { """('\U0001f600\101\n',)""", """["😀A\n"]""" },
        { " ( 1 , [ ] , ) ", "[1,[]]" },
        { "(1)", "1" },
    };

    [Theory]
    [MemberData(nameof(Reprs))]
    public void TryParse_PythonRepr_GivesTheSameValueAsJson_Issue27(string repr, string json)
    {
        Assert.True(PythonLiteral.TryParse(repr, out var value, out var reason), reason);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), value), value?.ToJsonString());
    }

    /// <summary>Reprs of values JSON cannot carry as they were, text Celery's saferepr cut, and text no repr writes.</summary>
    public static TheoryData<string, string> Refused() => new()
    {
        { "(<object object at 0x7f3a2c1b0e70>,)", "'<'" },
        { "(Decimal('1'),)", "'Decimal'" },
        { "(datetime.datetime(2024, 1, 1, 0, 0),)", "'datetime'" },
        { "(b'abc',)", "bytes" },
        { "({1, 2},)", "not a string" },
        { "({1: 'a'},)", "not a string" },
        { "(set(),)", "'set'" },
        { "(1j,)", "number" },
        { "(inf, nan)", "'inf'" },
        { "(0x1F,)", "number" },
        { "(1_000,)", "number" },
        { "(+1,)", "'+'" },
        { "(1, 2, 3, ...)", "saferepr" },
        { "('The quick brown fox...', ...", "saferepr" },
        { "({'a': [...]},)", "saferepr" },
        { "({'a': 1, ...},)", "saferepr" },
        { "({'a': 1, 'a': 2},)", "twice" },
        { "(1 2)", "expected" },
        { "('a' 'b',)", "expected" },
        { "('open,)", "does not end" },
        { "('\\q',)", "escape" },
        { "('\\ud800',)", "surrogate" },
        { "('\\x4',)", "hex" },
        { "(1,) (2,)", "text after" },
        { "", "ends" },
        { "(Ellipsis,)", "'Ellipsis'" },
        { "(true, null)", "'true'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryParse_NotAPlainLiteral_IsRefusedWithTheReason_Issue27(string text, string said)
    {
        Assert.False(PythonLiteral.TryParse(text, out var value, out var reason));
        Assert.Null(value);
        Assert.Contains(said, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NestingPastTheCap_IsRefusedWithoutExhaustingTheStack_Issue27()
    {
        Assert.False(PythonLiteral.TryParse(new string('(', 60_000), out _, out var reason));
        Assert.Contains("deeper than", reason, StringComparison.Ordinal);
        Assert.False(PythonLiteral.TryParse(new string('[', PythonLiteral.MaxDepth + 1) + new string(']', PythonLiteral.MaxDepth + 1), out _, out _));
        Assert.True(PythonLiteral.TryParse(new string('[', PythonLiteral.MaxDepth) + new string(']', PythonLiteral.MaxDepth), out _, out _));
    }

    /// <summary>A tuple's first item is read once: re-reading it per level would double the work at each of 32 levels.</summary>
    [Fact]
    public void TryParse_TuplesNestedToTheCap_ReadInLinearTime_Issue27()
    {
        var text = string.Concat(Enumerable.Repeat("(", PythonLiteral.MaxDepth - 1)) + "1" + string.Concat(Enumerable.Repeat(", 2)", PythonLiteral.MaxDepth - 1));
        var clock = Stopwatch.StartNew();
        Assert.True(PythonLiteral.TryParse(text, out _, out var reason), reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void TryParse_TextOverTheCap_IsRefused_Issue27()
    {
        Assert.False(PythonLiteral.TryParse("('" + new string('a', PythonLiteral.MaxChars) + "',)", out _, out var reason));
        Assert.Contains("longer than", reason, StringComparison.Ordinal);
    }

    /// <summary>Any value JSON and Python share, written as Python's repr writes it, reads back as that value.</summary>
    [Fact]
    public void TryParse_ReprOfAnyJsonValue_RoundTrips_Issue27()
    {
        Values(3).Sample(v =>
        {
            var repr = Repr(v);
            return PythonLiteral.TryParse(repr, out var back, out _) && JsonNode.DeepEquals(v, back);
        });
    }

    /// <summary>Arbitrary text (brackets, quotes, escapes, dots) is answered true or false; nothing throws.</summary>
    [Fact]
    public void TryParse_ArbitraryText_NeverThrows_Issue27()
    {
        Gen.Char["()[]{}'\"\\,:.xu0123456789 -eTrueNonFalsb\n\ud800\udc00"].Array[0, 60].Select(c => new string(c))
            .Sample(text =>
            {
                var ok = PythonLiteral.TryParse(text, out var value, out var reason);
                return ok ? reason is null : value is null && reason is not null;
            });
    }

    private static Gen<JsonNode?> Values(int depth)
    {
        var text = Gen.Char["a-zA-Z0-9 '\"\\\n\t\u0000\u007fé€"].Array[0, 8].Select(c => new string(c));
        var scalar = Gen.OneOf<JsonNode?>(
            Gen.Bool.Select(_ => (JsonNode?)null),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Long.Select(n => (JsonNode?)JsonNode.Parse(n.ToString(CultureInfo.InvariantCulture))),
            Gen.Double[-1e9, 1e9].Select(d => (JsonNode?)JsonNode.Parse(d.ToString("R", CultureInfo.InvariantCulture))),
            text.Select(s => (JsonNode?)JsonValue.Create(s)));
        if (depth == 0)
        {
            return scalar;
        }

        var inner = Values(depth - 1);
        return Gen.OneOf(scalar,
            inner.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray())),
            Gen.Select(text, inner).Array[0, 4].Select(pairs =>
            {
                var o = new JsonObject();
                foreach (var (k, v) in pairs)
                {
                    o[k] = v?.DeepClone();
                }

                return (JsonNode?)o;
            }));
    }

    // Python's repr: lists in [], dicts in {}, str quoted as repr quotes it, numbers as JSON writes them.
    private static string Repr(JsonNode? v) => v switch
    {
        null => "None",
        JsonArray a => $"[{string.Join(", ", a.Select(Repr))}]",
        JsonObject o => $"{{{string.Join(", ", o.Select(e => $"{Quote(e.Key)}: {Repr(e.Value)}"))}}}",
        JsonValue s when s.GetValueKind() == JsonValueKind.String => Quote(s.GetValue<string>()),
        JsonValue b when b.GetValueKind() is JsonValueKind.True or JsonValueKind.False => b.GetValue<bool>() ? "True" : "False",
        _ => v.ToJsonString(),
    };

    private static string Quote(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when c == quote => $"\\{c}",
                _ when c < ' ' || c == '\u007f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return sb.Append(quote).ToString();
    }
}

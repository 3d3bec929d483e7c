using Ingest.Accounting;
using System.Text;
using CsCheck;
using Ingest.Decoding;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

/// <summary>Issue 15: secret-looking kwargs never reach the database, the search index or the stream.</summary>
public class RedactorTests
{
    private static readonly Redactor s_default = Redactor.Create(Redactor.DefaultKeys)!;

    [Theory]
    [InlineData("{'order_id': 12345, 'password': 'hunter2'}", "{'order_id': 12345, 'password': '***'}")]
    [InlineData("{'Authorization': 'Bearer abc.def', 'n': 1}", "{'Authorization': '***', 'n': 1}")]
    [InlineData("{\"api_key\": \"k-1\", \"card_number\": 4111111111111111}", "{\"api_key\": \"***\", \"card_number\": '***'}")]
    [InlineData("{'credentials': {'user': 'u', 'pw': ['a', 'b']}, 'after': 2}", "{'credentials': '***', 'after': 2}")]
    [InlineData("(1, {'nested': {'db_password': \"it's\"}}, 'x')", "(1, {'nested': {'db_password': \"***\"}}, 'x')")]
    [InlineData("{'client_secret': SecretStr('xyz'), 'ok': True}", "{'client_secret': '***', 'ok': True}")]
    [InlineData("('https://api.example/cb?id=7&access_token=abc123&x=1',)", "('https://api.example/cb?id=7&access_token=***&x=1',)")]
    [InlineData("Login(user='bob', password='pw', retries=3)", "Login(user='bob', password='***', retries=3)")]
    [InlineData("{'body': '{\"token\": \"t0k\", \"id\": 5}'}", "{'body': '{\"token\": \"***\", \"id\": 5}'}")]
    public void Redact_MasksTheValueOfEverySecretLookingKey_AndNothingElse(string repr, string expected)
    {
        var masked = s_default.Redact(repr, out var count);

        Assert.Equal(expected, masked);
        Assert.True(count >= 1);
    }

    [Theory]
    [InlineData("{'order_id': 12345, 'email': 'a@b.c'}")]
    [InlineData("('a password reset for bob', 3)")] // the word in a value, not a key
    [InlineData("{'note': \"it's\", 'user': 'n'}")]
    [InlineData("{'password': '***'}")] // already masked: an event replayed from a redacted capture
    [InlineData("x == token")]
    public void Redact_LeavesTextWithoutASecretKeyValueAlone(string repr) => Assert.Equal(repr, s_default.Redact(repr, out _));

    [Fact]
    public void Redact_ErrsOnTheSafeSide_AKeyThatMerelyContainsAWordIsMasked() =>
        Assert.Equal("{'tokens_used': '***'}", s_default.Redact("{'tokens_used': 812}", out _));

    [Theory]
    [InlineData("")]
    [InlineData("none")]
    [InlineData(" , ")]
    public void Create_EmptyOrNone_TurnsRedactionOff(string keys) => Assert.Null(Redactor.Create(keys));

    [Fact]
    public void Redact_ConfiguredWords_ReplaceTheDefaults()
    {
        var redactor = Redactor.Create("iban, pin")!;

        Assert.Equal("{'IBAN': '***', 'password': 'p', 'pin_code': '***'}", redactor.Redact("{'IBAN': 'DE00', 'password': 'p', 'pin_code': 1234}", out var count));
        Assert.Equal(2, count);
    }

    /// <summary>
    /// Whatever surrounds it (other keys, nesting, quoting, odd spacing, unicode), a secret value written as a
    /// dict entry or a keyword argument never survives, and the text around it is unchanged.
    /// </summary>
    [Fact]
    public void Redact_AnySurroundings_TheSecretNeverSurvives()
    {
        var key = Gen.OneOf(Gen.Const("password"), Gen.Const("X-Auth-Token"), Gen.Const("stripe_secret_key"), Gen.Const("CardNumber"), Gen.Const("session_cookie"));
        var plain = Gen.Char["a-z0-9 _.:/@é€😀"].Array[0, 12].Select(c => new string(c).Replace("'", "", StringComparison.Ordinal));
        var other = Gen.Select(Gen.Int[0, 99], plain).Select((n, v) => $"'k{n}': '{v}'");
        Gen.Select(key, Gen.Int[100_000, 999_999], other.Array[0, 4], other.Array[0, 4], Gen.Bool, Gen.Int[0, 2])
            .Sample((k, secret, before, after, asKwarg, nest) =>
            {
                var value = $"S{secret}";
                var entry = asKwarg ? $"{k.Replace("-", "_", StringComparison.Ordinal)}='{value}'" : $"'{k}':  '{value}'";
                var inner = asKwarg ? $"call({entry})" : $"{{{string.Join(", ", [.. before, entry, .. after])}}}";
                for (var i = 0; i < nest; i++)
                {
                    inner = $"{{'level{i}': [{inner}, 1]}}";
                }

                var masked = s_default.Redact(inner, out var count);
                return !masked.Contains(value, StringComparison.Ordinal) && count == 1
                    && masked.Replace("'***'", $"'{value}'", StringComparison.Ordinal) == inner;
            });
    }

    [Fact]
    public void Decoder_MasksArgsKwargsAndResult_BeforeTheFieldIsCut_AndCountsEachValue()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions { MaxFieldChars = 256 }, new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero)));
        var longTail = new string('x', 400);
        var body = Encoding.UTF8.GetBytes($$"""
            {"type": "task-received", "uuid": "u1", "name": "t", "timestamp": 1795377600,
             "args": "({'token': 'abc'},)", "kwargs": "{'password': '{{longTail}}', 'order_id': 7}", "result": null}
            """);

        var d = decoder.Decode(body);

        var e = Assert.Single(d.Events);
        Assert.Equal("({'token': '***'},)", e.Args);
        Assert.Equal("{'password': '***', 'order_id': 7}", e.Kwargs);
        Assert.Equal(2, d.Repaired[(int)Repair.Redacted]);
        Assert.Equal(0, d.Repaired[(int)Repair.FieldTruncated]);
    }

    [Fact]
    public void Decoder_RedactionOff_StoresTheTextAsSent()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions { RedactKeys = "none" }, new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero)));

        var e = Assert.Single(decoder.Decode("""{"type": "task-received", "uuid": "u1", "kwargs": "{'password': 'p'}", "timestamp": 1795377600}"""u8).Events);

        Assert.Equal("{'password': 'p'}", e.Kwargs);
    }
}

using Ingest.Accounting;
using System.Text;
using Ingest.Decoding;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

/// <summary>Issue 24: NUL and other control characters never stay in an identifier; each field cleaned is counted.</summary>
public class ControlCharactersTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 20, 0, 0, TimeSpan.Zero);
    private readonly CeleryEventDecoder _decoder = new(new DecoderOptions(), new FakeTimeProvider(s_now));

    private DecodedBody Decode(string json) => _decoder.Decode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Decode_NulInIdNameAndHostname_StoresThemCleaned_CountsEachField_Issue24()
    {
        var d = Decode($$"""{"type": "task-received", "uuid": "t\u0000ask", "name": "shop.\u0000add", "hostname": "w1\u0000@h", "timestamp": {{s_now.ToUnixTimeSeconds()}}}""");

        var e = Assert.Single(d.Events);
        Assert.Equal(("task", "shop.add", "w1@h"), (e.Uuid, e.Name, e.Hostname));
        Assert.Equal(3, d.Repaired[(int)Repair.ControlCharacters]);
        Assert.Equal(0, d.RejectedTotal);
    }

    [Theory]
    [InlineData("queue", "\\u0007cel\\u001fery")]
    [InlineData("routing_key", "cel\\u007fery")]
    [InlineData("exchange", "cel\\u0085ery")]
    [InlineData("root_id", "cel\\u2028ery\\u2029")]
    [InlineData("parent_id", "cel\\r\\nery\\t")]
    [InlineData("sw_ver", "cel\\u009bery")]
    public void Decode_ControlCharacterInAnIdentifier_IsRemoved(string field, string raw)
    {
        var d = Decode($$"""{"type": "task-sent", "uuid": "a", "{{field}}": "{{raw}}", "timestamp": {{s_now.ToUnixTimeSeconds()}}}""");

        var e = Assert.Single(d.Events);
        var value = field switch
        {
            "queue" => e.Queue, "routing_key" => e.RoutingKey, "exchange" => e.Exchange, "root_id" => e.RootId,
            "parent_id" => e.ParentId, _ => e.SoftwareVersion,
        };
        Assert.Equal("celery", value);
        Assert.Equal(1, d.Repaired[(int)Repair.ControlCharacters]);
    }

    [Fact]
    public void Decode_CleanIdentifiers_AreTheSameStringsAndNothingIsCounted()
    {
        var d = Decode($$"""{"type": "task-received", "uuid": "ab-1 é 🎉", "name": "shop.add", "hostname": "w1@h", "timestamp": {{s_now.ToUnixTimeSeconds()}}}""");

        Assert.Equal("ab-1 é 🎉", Assert.Single(d.Events).Uuid);
        Assert.Equal(0, d.Repaired.Sum());
    }

    [Fact]
    public void Decode_TaskIdOfControlCharactersOnly_IsMissingUuid_Issue24()
    {
        var d = Decode("""{"type": "task-received", "uuid": "\u0000\u0000\n"}""");

        Assert.Empty(d.Events);
        Assert.Equal(1, d.Rejected[(int)RejectReason.MissingUuid]);
    }

    [Fact]
    public void Decode_FreeText_KeepsItsNewlines()
    {
        var d = Decode($$"""{"type": "task-failed", "uuid": "a", "exception": "ValueError('a\nb')", "traceback": "line 1\nline 2", "timestamp": {{s_now.ToUnixTimeSeconds()}}}""");

        var e = Assert.Single(d.Events);
        Assert.Equal("ValueError('a\nb')", e.Exception);
        Assert.Equal("line 1\nline 2", e.Traceback);
        Assert.Equal(0, d.Repaired[(int)Repair.ControlCharacters]);
    }
}

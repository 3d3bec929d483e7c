using Ingest.Accounting;
using System.Text;
using System.Text.Json;
using Ingest.Decoding;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

/// <summary>
/// Issue 24: a body Ingest cannot read is refused by name, judged on its labels before anything reads it. Before,
/// a pickle, a YAML body, a bomb of either kind were all counted as malformed_json.
/// </summary>
public class BodyRejectTests
{
    private const int Limit = 64 * 1024;
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 20, 0, 0, TimeSpan.Zero);
    private readonly CeleryEventDecoder _decoder = new(new DecoderOptions { MaxBodyBytes = Limit }, new FakeTimeProvider(s_now));

    private static double Now => s_now.ToUnixTimeSeconds();

    private static string Good(string id) => HostileBodies.Received(id, Now);

    public static TheoryData<string, string?, string?, string> Refused => new()
    {
        // Celery with event_serializer pickle, yaml or msgpack: kombu's content types.
        { HostileBodies.PickleType, "binary", null, "unsupported_content_type" },
        { HostileBodies.YamlType, "utf-8", null, "unsupported_content_type" },
        { "application/x-msgpack", "binary", null, "unsupported_content_type" },
        { "text/plain", "utf-8", null, "unsupported_content_type" },
        { "application/json", "utf-16", null, "unsupported_encoding" },
        { "application/json; charset=latin1", null, null, "unsupported_encoding" },
        { "application/json", "utf-8", HostileBodies.KombuBzip2, "unsupported_encoding" },
        { "application/json", "utf-8", "application/x-brotli", "unsupported_encoding" },
        { "application/json", "utf-8", "br", "unsupported_encoding" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Decode_LabelIngestDoesNotRead_IsRefusedUnreadByName_Issue24(string contentType, string? charset, string? compression, string reason)
    {
        // The body itself is good JSON: only the label refuses it, so nothing is ever read as what it claims to be.
        var d = _decoder.Decode(Encoding.UTF8.GetBytes(Good("labelled")), content: new BodyContent(contentType, charset, compression));

        Assert.Empty(d.Events);
        Assert.Equal(1, d.Rejected[Index(reason)]);
        Assert.Equal(1, d.RejectedTotal);
        Assert.Equal(reason, d.BodyReason?.Name());
        Assert.NotNull(d.MalformedError);
    }

    [Fact]
    public void Decode_Pickle_IsUnsupportedContentType_NotMalformedJson_Issue24()
    {
        var d = _decoder.Decode(HostileBodies.Pickle, content: new BodyContent(HostileBodies.PickleType, "binary", null));

        Assert.Equal(1, d.Rejected[(int)RejectReason.UnsupportedContentType]);
        Assert.Equal(0, d.Rejected[(int)RejectReason.MalformedJson]);
        Assert.Contains("application/x-python-serialize", d.MalformedError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("application/json", "utf-8", null)] // Celery's own labels
    [InlineData("APPLICATION/JSON; charset=UTF-8", null, null)]
    [InlineData("application/vnd.celery+json", "us-ascii", "identity")]
    [InlineData("application/json", "binary", "")] // kombu's label for bytes it was handed ready-made
    public void Decode_JsonLabelsOrNone_IsRead(string? contentType, string? charset, string? compression)
    {
        var d = _decoder.Decode(Encoding.UTF8.GetBytes(Good("plain")), content: new BodyContent(contentType, charset, compression));

        Assert.Equal("plain", Assert.Single(d.Events).Uuid);
        Assert.Equal(0, d.RejectedTotal);
    }

    [Fact]
    public void Decode_EveryFixtureMessageWithItsOwnLabels_IsRead_Issue24()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions(), Fixtures.Clock());

        foreach (var line in File.ReadLines(Fixtures.CapturePath).Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            var p = doc.RootElement.GetProperty("properties");
            var content = new BodyContent(p.GetProperty("content_type").GetString(), p.GetProperty("content_encoding").GetString(), null);

            var d = decoder.Decode(doc.RootElement.GetProperty("body_b64").GetBytesFromBase64(), content: content);

            Assert.Equal(0, d.RejectedTotal);
            Assert.NotEmpty(d.Events);
        }
    }

    [Theory]
    [InlineData(HostileBodies.KombuGzip)]
    [InlineData("zlib")]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public void Decode_ZlibAsKombuCompressesIt_IsInflatedAndRead_Issue24(string compression)
    {
        var body = HostileBodies.Zlib($"[{Good("z1")}, {Good("z2")}]");

        var d = _decoder.Decode(body, content: new BodyContent("application/json", "utf-8", compression));

        Assert.Equal(["z1", "z2"], d.Events.Select(e => e.Uuid));
        Assert.Equal(0, d.RejectedTotal);
    }

    [Fact]
    public void Decode_GzipAsHttpSendsIt_IsInflatedAndRead_Issue24()
    {
        var d = _decoder.Decode(HostileBodies.Gzip(Good("g1")), content: new BodyContent("application/json", null, "gzip"));

        Assert.Equal("g1", Assert.Single(d.Events).Uuid);
    }

    [Fact]
    public void Decode_ZlibBomb_StopsAtTheBodyLimit_DecompressedTooLarge_Issue24()
    {
        // 16 MiB of JSON in about 16 KiB: under the body limit as sent, 256 times over it inflated.
        var bomb = HostileBodies.Bomb(16 * 1024 * 1024);
        Assert.True(bomb.Length < Limit, $"{bomb.Length} bytes compressed");
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var d = _decoder.Decode(bomb, content: new BodyContent("application/json", "utf-8", HostileBodies.KombuGzip));

        Assert.Equal(1, d.Rejected[(int)RejectReason.DecompressedTooLarge]);
        Assert.Equal(1, d.RejectedTotal);
        Assert.Empty(d.Events);
        Assert.Contains($"limit of {Limit} bytes", d.MalformedError, StringComparison.Ordinal);
        // Inflating stopped at the cap: a few times the limit allocated at most, never the 16 MiB.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 8 * Limit, "allocated past the cap");
    }

    [Fact]
    public void Decode_ZlibBombJustUnderTheLimit_IsRead()
    {
        var d = _decoder.Decode(HostileBodies.Bomb(Limit), content: new BodyContent(null, null, "zlib"));

        Assert.Equal(0, d.RejectedTotal);
        Assert.True(d.WasBatch);
    }

    [Fact]
    public void Decode_CompressionHeaderOnABodyThatIsNotCompressed_IsUnsupportedEncoding_Issue24()
    {
        var d = _decoder.Decode(Encoding.UTF8.GetBytes(Good("x")), content: new BodyContent(null, null, HostileBodies.KombuGzip));

        Assert.Equal(1, d.Rejected[(int)RejectReason.UnsupportedEncoding]);
        Assert.Contains("does not decompress", d.MalformedError, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NestingBomb_IsNestingTooDeep_NotMalformedJson_Issue24()
    {
        var d = _decoder.Decode(HostileBodies.NestingBomb(20_000));

        Assert.Equal(1, d.Rejected[(int)RejectReason.NestingTooDeep]);
        Assert.Equal(0, d.Rejected[(int)RejectReason.MalformedJson]);
        Assert.Equal(RejectReason.NestingTooDeep, d.BodyReason);
    }

    [Fact]
    public void Decode_NestingAtTheMaxDepth_IsNotANestingReject_OneDeeperIs()
    {
        var atLimit = _decoder.Decode(HostileBodies.NestingBomb(CeleryEventDecoder.MaxDepth));
        var past = _decoder.Decode(HostileBodies.NestingBomb(CeleryEventDecoder.MaxDepth + 1));

        Assert.Equal(0, atLimit.Rejected[(int)RejectReason.NestingTooDeep]);
        Assert.Null(atLimit.MalformedError);
        Assert.Equal(1, past.Rejected[(int)RejectReason.NestingTooDeep]);
    }

    [Fact]
    public void Decode_DeepNestingAfterGoodEvents_KeepsThemAndNamesTheNesting_Issue24()
    {
        var deep = Encoding.ASCII.GetString(HostileBodies.NestingBomb(100));
        var d = _decoder.Decode(Encoding.UTF8.GetBytes($"[{Good("before")}, {{\"type\": \"task-started\", \"uuid\": \"deep\", \"args\": {deep}}}]"));

        Assert.Equal("before", Assert.Single(d.Events).Uuid);
        Assert.Equal(1, d.Rejected[(int)RejectReason.NestingTooDeep]);
    }

    [Fact]
    public void Decode_BracketsInsideStrings_DoNotCountAsNesting()
    {
        var brackets = new string('[', 200);
        var d = _decoder.Decode(Encoding.UTF8.GetBytes($"{{\"type\": \"task-started\", \"uuid\": \"s\\\"{brackets}\", \"timestamp\": {Now}}} trailing"));

        Assert.Equal(1, d.Rejected[(int)RejectReason.MalformedJson]);
        Assert.Equal(0, d.Rejected[(int)RejectReason.NestingTooDeep]);
    }

    [Fact]
    public void ReasonNames_KeepTheExistingOnesAndAddTheNewOnes_Issue24()
    {
        var names = Enumerable.Range(0, DecodeReasonNames.RejectCount).Select(i => ((RejectReason)i).Name()).ToList();

        Assert.Equal(["malformed_json", "not_an_object", "missing_type", "unknown_type", "missing_uuid", "wrong_type", "too_large", "not_json",
            "unsupported_content_type", "unsupported_encoding", "decompressed_too_large", "nesting_too_deep"], names);
        Assert.Equal("control_characters", ((Repair)(DecodeReasonNames.RepairCount - 1)).Name());
    }

    private static int Index(string reason) =>
        Enumerable.Range(0, DecodeReasonNames.RejectCount).Single(i => ((RejectReason)i).Name() == reason);
}

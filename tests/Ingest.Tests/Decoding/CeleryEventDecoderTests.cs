using Ingest.Accounting;
using System.Text;
using System.Text.Json;
using Ingest.Decoding;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

public class CeleryEventDecoderTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 20, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly CeleryEventDecoder _decoder;

    public CeleryEventDecoderTests()
    {
        _decoder = new CeleryEventDecoder(new DecoderOptions { MaxFieldChars = 2048 }, _time);
    }

    private double Now => s_now.ToUnixTimeMilliseconds() / 1000.0;

    [Fact]
    public void Decode_EveryFixtureMessage_DecodesEveryEventWithNoRejection()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions(), new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero)));
        var expectedByType = Fixtures.AllEvents().GroupBy(e => e.GetProperty("type").GetString()!).ToDictionary(g => g.Key, g => g.Count());

        var decoded = Fixtures.Messages.Select(m => decoder.Decode(m.Body)).ToList();

        Assert.All(decoded, d => Assert.Equal(0, d.RejectedTotal));
        Assert.All(decoded, d => Assert.Null(d.MalformedError));
        var actualByType = decoded.SelectMany(d => d.Events).GroupBy(e => e.Type.WireName()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expectedByType.OrderBy(kv => kv.Key), actualByType.OrderBy(kv => kv.Key));
        Assert.All(decoded.SelectMany(d => d.Events), e => Assert.NotEqual(0, e.Timestamp));
    }

    /// <summary>Issue 29: field names are matched on their bytes; an escaped name is still its field, an unknown one skipped.</summary>
    [Fact]
    public void Decode_EscapedAndUnknownPropertyNames_AreMatchedAsBefore_Issue29()
    {
        var at = Now.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes($$"""{"\u0074ype": "task-sent", "uuid": "a", "nam\u0065": "shop.charge", "namE": "x", "queues": "x", "timestamp": {{at}}}""");

        var d = _decoder.Decode(body);

        var e = Assert.Single(d.Events);
        Assert.Equal(CeleryEventType.TaskSent, e.Type);
        Assert.Equal("shop.charge", e.Name);
        Assert.Null(e.Queue);
    }

    [Fact]
    public void Decode_FixtureTaskMulti_KeepsArgsAsSaferepTextAndTimestampsExact()
    {
        var original = Fixtures.AllEvents().First(e => e.GetProperty("type").GetString() == "task-received" && e.GetProperty("kwargs").GetString()!.Contains("order_id", StringComparison.Ordinal));
        var body = Encoding.UTF8.GetBytes(original.GetRawText());

        var e = Assert.Single(_decoder.Decode(body).Events);

        Assert.Equal(original.GetProperty("kwargs").GetString(), e.Kwargs);
        Assert.Equal(original.GetProperty("args").GetString(), e.Args);
        Assert.Equal(original.GetProperty("timestamp").GetDouble(), e.Timestamp);
        Assert.Equal(original.GetProperty("uuid").GetString(), e.Uuid);
    }

    [Fact]
    public void Decode_LoneSurrogateEscape_BecomesReplacementCharAndKeepsTheBatch()
    {
        var body = Bytes($$"""[{"type": "task-succeeded", "uuid": "a", "result": "'x\udcffy'", "timestamp": {{Now}}}, {"type": "task-started", "uuid": "b", "timestamp": {{Now}}}]""");

        var d = _decoder.Decode(body);

        Assert.Equal(2, d.Events.Count);
        Assert.Equal("'x\uFFFDy'", d.Events[0].Result);
        Assert.Equal(1, d.Repaired[(int)Repair.InvalidText]);
    }

    [Fact]
    public void Decode_SurrogatePairAndNul_AreKeptExactly()
    {
        var body = Bytes($$"""{"type": "task-received", "uuid": "a", "args": "('\ud83c\udf0d \u0000 \\ \t',)", "timestamp": {{Now}}}""");

        var e = Assert.Single(_decoder.Decode(body).Events);

        Assert.Equal("('\U0001F30D \0 \\ \t',)", e.Args);
    }

    [Fact]
    public void Decode_InvalidUtf8Bytes_AreReplacedAndTheEventKept()
    {
        var prefix = Bytes("""{"type": "task-failed", "uuid": "a", "exception": "E('""");
        var suffix = Bytes($$"""')", "timestamp": {{Now}}}""");
        byte[] body = [.. prefix, 0xFF, 0xFE, (byte)'b', .. suffix];

        var e = Assert.Single(_decoder.Decode(body).Events);

        Assert.Equal("E('\uFFFD\uFFFDb')", e.Exception);
    }

    [Fact]
    public void Decode_MalformedJsonMidBatch_KeepsEventsBeforeTheErrorAndSaysWhy()
    {
        var body = Bytes($$"""[{"type": "task-started", "uuid": "a", "timestamp": {{Now}}}, {"type": "task-started", "uuid": """);

        var d = _decoder.Decode(body);

        Assert.Single(d.Events);
        Assert.Equal(1, d.Rejected[(int)RejectReason.MalformedJson]);
        Assert.NotNull(d.MalformedError);
    }

    [Theory]
    [InlineData("""{"type": 7, "uuid": "a"}""", RejectReason.WrongType)]
    [InlineData("""{"type": "task-started", "uuid": 12}""", RejectReason.WrongType)]
    [InlineData("""{"type": "task-started"}""", RejectReason.MissingUuid)]
    [InlineData("""{"type": "task-started", "uuid": ""}""", RejectReason.MissingUuid)]
    [InlineData("""{"uuid": "a"}""", RejectReason.MissingType)]
    [InlineData("""{"type": "task-progress", "uuid": "a"}""", RejectReason.UnknownType)]
    [InlineData("""42""", RejectReason.NotAnObject)]
    [InlineData("""not json""", RejectReason.MalformedJson)]
    public void Decode_BadElementBetweenGoodOnes_IsCountedAndNeighboursKept(string bad, RejectReason reason)
    {
        var good = $$"""{"type": "task-started", "uuid": "good", "timestamp": {{Now}}}""";
        var body = Bytes($"[{good}, {bad}, {good}]");

        var d = _decoder.Decode(body);

        if (reason == RejectReason.MalformedJson)
        {
            // Past a syntax error nothing can be trusted; the element before it survives.
            Assert.Single(d.Events);
        }
        else
        {
            Assert.Equal(2, d.Events.Count);
            Assert.Null(d.MalformedError);
        }

        Assert.Equal(1, d.Rejected[(int)reason]);
        Assert.Equal(1, d.RejectedTotal);
    }

    [Fact]
    public void Decode_OptionalFieldOfWrongType_IsIgnoredAndCounted()
    {
        var body = Bytes($$"""{"type": "task-succeeded", "uuid": "a", "runtime": "fast", "retries": [1], "hostname": 5, "timestamp": {{Now}}}""");

        var d = _decoder.Decode(body);

        var e = Assert.Single(d.Events);
        Assert.Null(e.Runtime);
        Assert.Null(e.Hostname);
        Assert.Equal(3, d.Repaired[(int)Repair.FieldWrongType]);
    }

    [Fact]
    public void Decode_IntegerFieldOutOfRange_IsIgnoredAndCountedNotWrapped()
    {
        var body = Bytes($$"""{"type": "task-received", "uuid": "a", "retries": 3000000000, "pid": 1.5, "clock": 9000000000, "timestamp": {{Now}}}""");

        var d = _decoder.Decode(body);

        var e = Assert.Single(d.Events);
        Assert.Null(e.Retries);
        Assert.Null(e.Pid);
        Assert.Equal(9_000_000_000, e.Clock);
        Assert.Equal(2, d.Repaired[(int)Repair.FieldWrongType]);
    }

    [Theory]
    [InlineData("runtime", "1e308")]
    [InlineData("runtime", "-0.5")]
    [InlineData("runtime", "1e400")]
    [InlineData("retries", "-1")]
    [InlineData("signum", "100000")]
    [InlineData("freq", "1e308")]
    [InlineData("active", "-3")]
    [InlineData("utcoffset", "1000")]
    public void Decode_NumberNoWorkerSends_IsIgnoredAndCountedAsOutOfRange_Issue12(string field, string value)
    {
        var body = Bytes($$"""{"type": "task-succeeded", "uuid": "a", "{{field}}": {{value}}, "timestamp": {{Now}}}""");

        var d = _decoder.Decode(body);

        var e = Assert.Single(d.Events);
        Assert.Null(e.Runtime);
        Assert.Null(e.Retries);
        Assert.Null(e.Signum);
        Assert.Null(e.Freq);
        Assert.Null(e.Active);
        Assert.Null(e.UtcOffset);
        Assert.Equal(1, d.Repaired[(int)Repair.ValueOutOfRange] + d.Repaired[(int)Repair.FieldWrongType]);
    }

    [Fact]
    public void Decode_ArgsAsJsonValueFromAnotherProducer_KeepsTheJsonText()
    {
        var body = Bytes($$"""{"type": "task-received", "uuid": "a", "args": [1, "x"], "kwargs": {"order_id": 12345}, "timestamp": {{Now}}}""");

        var e = Assert.Single(_decoder.Decode(body).Events);

        Assert.Equal("""[1, "x"]""", e.Args);
        Assert.Equal("""{"order_id": 12345}""", e.Kwargs);
    }

    [Theory]
    [InlineData(0.0)] // 1970
    [InlineData(32503680000.0)] // year 3000
    public void Decode_AbsurdTimestamp_IsReplacedByArrivalTimeAndCounted(double timestamp)
    {
        var body = Bytes($$"""{"type": "task-started", "uuid": "a", "timestamp": {{timestamp}}}""");

        var d = _decoder.Decode(body);

        Assert.Equal(Now, Assert.Single(d.Events).Timestamp);
        Assert.Equal(1, d.Repaired[(int)Repair.TimestampOutOfRange]);
    }

    /// <summary>Issue 15: a forged event dated 22 h ahead no longer outranks real ones for a day; drift of seconds is kept.</summary>
    [Theory]
    [InlineData(290, false)]
    [InlineData(310, true)]
    [InlineData(22 * 3600, true)]
    public void Decode_TimestampAheadOfArrival_BeyondFiveMinutes_IsReDatedAndCounted(double ahead, bool repaired)
    {
        var d = _decoder.Decode(Bytes($$"""{"type": "task-failed", "uuid": "a", "timestamp": {{Now + ahead}}}"""));

        Assert.Equal(repaired ? Now : Now + ahead, Assert.Single(d.Events).Timestamp);
        Assert.Equal(repaired ? 1 : 0, d.Repaired[(int)Repair.TimestampOutOfRange]);
    }

    [Fact]
    public void Decode_GivenArrival_JudgesAgainstItAndNotTheClock()
    {
        var capturedAt = Now - (30 * 86400);

        var d = _decoder.Decode(Bytes($$"""[{"type": "task-started", "uuid": "a", "timestamp": {{capturedAt - 1}}}, {"type": "task-started", "uuid": "b", "timestamp": {{capturedAt + 3600}}}]"""), capturedAt);

        Assert.Equal([capturedAt - 1, capturedAt], d.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public void Decode_MissingTimestamp_UsesArrivalTimeAndCounts()
    {
        var d = _decoder.Decode(Bytes("""{"type": "task-started", "uuid": "a", "timestamp": "yesterday"}"""));

        Assert.Equal(Now, Assert.Single(d.Events).Timestamp);
        Assert.Equal(1, d.Repaired[(int)Repair.TimestampMissing]);
    }

    [Fact]
    public void Decode_HugeField_IsTruncatedWithAMarkerAndCounted()
    {
        var huge = new string('x', 100_000);
        var body = Bytes($$"""{"type": "task-failed", "uuid": "a", "traceback": "{{huge}}", "timestamp": {{Now}}}""");

        var d = _decoder.Decode(body);

        var e = Assert.Single(d.Events);
        Assert.StartsWith(new string('x', 2048), e.Traceback, StringComparison.Ordinal);
        Assert.Contains("truncated by ingest: 100000 chars", e.Traceback, StringComparison.Ordinal);
        Assert.Equal(1, d.Repaired[(int)Repair.FieldTruncated]);
    }

    [Fact]
    public void Decode_TaskIdOver255Chars_IsRejected()
    {
        var d = _decoder.Decode(Bytes($$"""{"type": "task-started", "uuid": "{{new string('a', 300)}}", "timestamp": {{Now}}}"""));

        Assert.Empty(d.Events);
        Assert.Equal(1, d.Rejected[(int)RejectReason.WrongType]);
    }

    [Fact]
    public void Decode_EmptyBatch_IsABatchWithNothingRejected()
    {
        var d = _decoder.Decode("[]"u8);

        Assert.True(d.WasBatch);
        Assert.Empty(d.Events);
        Assert.Equal(0, d.RejectedTotal);
    }

    [Fact]
    public void Decode_BodyOverLimit_IsRejectedWholeWithoutParsing()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions { MaxBodyBytes = 1024 }, _time);

        var d = decoder.Decode(new byte[2048]);

        Assert.Equal(1, d.Rejected[(int)RejectReason.TooLarge]);
    }

    [Fact]
    public void Decode_WorkerHeartbeat_ReadsWorkerFields()
    {
        var body = Bytes($$"""{"hostname": "w1@h", "freq": 2.0, "active": 3, "processed": 120, "loadavg": [0.5, 1.0, 1.5], "sw_ident": "py-celery", "sw_ver": "5.2.6", "sw_sys": "Linux", "timestamp": {{Now}}, "type": "worker-heartbeat"}""");

        var e = Assert.Single(_decoder.Decode(body).Events);

        Assert.Equal(CeleryEventType.WorkerHeartbeat, e.Type);
        Assert.Equal([0.5, 1.0, 1.5], e.LoadAverage!);
        Assert.Equal(120, e.Processed);
        Assert.Equal("5.2.6", e.SoftwareVersion);
    }

    [Fact]
    public void Decode_RandomGarbage_NeverThrows()
    {
        var random = new Random(42);
        var seed = Fixtures.Messages.Select(m => m.Body).ToList();
        for (var i = 0; i < 2000; i++)
        {
            var body = (byte[])seed[random.Next(seed.Count)].Clone();
            for (var k = 0; k < 1 + random.Next(8); k++)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var d = _decoder.Decode(body);
            Assert.True(d.Events.Count + d.RejectedTotal > 0 || d.WasBatch);
        }
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}

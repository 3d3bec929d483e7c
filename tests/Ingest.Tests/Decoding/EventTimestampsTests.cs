using Ingest.Accounting;
using System.Globalization;
using System.Text;
using Ingest.Decoding;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

/// <summary>Which time an event is stored at: the window partitions are kept for bounds it on both sides (issue 24).</summary>
public class EventTimestampsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 0, 30, 0, TimeSpan.Zero);

    private static double Now => s_now.ToUnixTimeMilliseconds() / 1000.0;

    [Theory]
    [InlineData(-6, false)] // the oldest day a 7-day retention keeps (its midnight, arrival at 00:30)
    [InlineData(-7, true)] // the day before it
    [InlineData(-400, true)]
    public void Decode_TimestampBeforeTheDaysRetentionKeeps_IsReDatedToArrivalAndCounted_Issue24(int days, bool repaired)
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions { RetentionDays = 7 }, new FakeTimeProvider(s_now));
        var midnight = new DateTimeOffset(s_now.UtcDateTime.Date, TimeSpan.Zero).AddDays(days).ToUnixTimeSeconds();

        var d = decoder.Decode(Body(midnight));

        Assert.Equal(repaired ? Now : midnight, Assert.Single(d.Events).Timestamp);
        Assert.Equal(repaired ? 1 : 0, d.Repaired[(int)Repair.TimestampOutOfRange]);
    }

    [Fact]
    public void Decode_NoRetention_KeepsAnyTimeSince2000()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions(), new FakeTimeProvider(s_now));
        var old = new DateTimeOffset(2001, 3, 4, 5, 6, 7, TimeSpan.Zero).ToUnixTimeSeconds();

        Assert.Equal(old, Assert.Single(decoder.Decode(Body(old)).Events).Timestamp);
    }

    [Fact]
    public void Decode_GivenArrival_CountsTheRetainedDaysBackFromIt_Issue24()
    {
        // A replayed capture from a month ago: its events are judged against its own days, not today's.
        var decoder = new CeleryEventDecoder(new DecoderOptions { RetentionDays = 7 }, new FakeTimeProvider(s_now));
        var capturedAt = Now - (30 * 86400);

        var d = decoder.Decode(Body(capturedAt - 3600), capturedAt);

        Assert.Equal(capturedAt - 3600, Assert.Single(d.Events).Timestamp);
        Assert.Equal(0, d.Repaired[(int)Repair.TimestampOutOfRange]);
    }

    [Theory]
    [InlineData(86400, true)]
    [InlineData(86401, false)]
    [InlineData(365 * 86400, false)]
    public void MaxFutureSkew_BeyondTomorrow_IsRefused_Issue24(int seconds, bool valid)
    {
        var result = new Ingest.Hosting.DecoderOptionsValidator().Validate(null, new DecoderOptions { MaxFutureSkew = TimeSpan.FromSeconds(seconds) });

        Assert.Equal(valid, result.Succeeded);
    }

    private static byte[] Body(double timestamp) =>
        Encoding.UTF8.GetBytes($$"""{"type": "task-succeeded", "uuid": "a", "timestamp": {{timestamp.ToString("R", CultureInfo.InvariantCulture)}}}""");
}

using Ingest.Accounting;
using Ingest.Decoding;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

/// <summary>Issue 24: at most one reject line per reason per minute, the first at once, each speaking for every reject since the last.</summary>
public class RejectLogThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryTake_FirstReject_IsDueAtOnce_Issue24()
    {
        var throttle = new RejectLogThrottle(_time);

        Assert.True(throttle.TryTake(RejectReason.UnsupportedContentType, 1, out var since));
        Assert.Equal(1, since);
    }

    [Fact]
    public void TryTake_MoreWithinTheMinute_AreHeldAndCountedIntoTheNextLine_Issue24()
    {
        var throttle = new RejectLogThrottle(_time);
        throttle.TryTake(RejectReason.MalformedJson, 1, out _);

        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(59));
            Assert.False(throttle.TryTake(RejectReason.MalformedJson, 2, out _));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.TryTake(RejectReason.MalformedJson, 3, out var since));
        Assert.Equal(2003, since);
    }

    [Fact]
    public void TryTake_EachReasonHasItsOwnMinute()
    {
        var throttle = new RejectLogThrottle(_time);

        Assert.True(throttle.TryTake(RejectReason.NestingTooDeep, 1, out _));
        Assert.True(throttle.TryTake(RejectReason.DecompressedTooLarge, 1, out _));
        Assert.False(throttle.TryTake(RejectReason.NestingTooDeep, 1, out _));
        Assert.True(throttle.TryTake(RejectReason.UnsupportedEncoding, 1, out _));
    }

    [Fact]
    public void TryTake_ExactlyOneIntervalLater_IsDue_AndTheIntervalRestartsFromThere()
    {
        var throttle = new RejectLogThrottle(_time, TimeSpan.FromSeconds(10));
        throttle.TryTake(RejectReason.TooLarge, 1, out _);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.TryTake(RejectReason.TooLarge, 1, out var since));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(throttle.TryTake(RejectReason.TooLarge, 1, out _));

        Assert.Equal(1, since);
    }
}

using Ingest.Sources.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Sources.Redis;

/// <summary>Issue 14: what a lost PUB/SUB subscription cost, on a fake clock.</summary>
public class RedisSubscriptionStatusTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Unsubscribed_AddsUpEachGap_AndEachLossIsCountedOnce()
    {
        var status = new RedisSubscriptionStatus("redis://127.0.0.1:6379/0", "/0.celeryev/task.*", _time, NullLogger.Instance, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(3));
        status.MarkUp();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(3), status.Unsubscribed);

        status.MarkDown("SocketClosed", null);
        status.MarkDown("the subscription is not connected", null); // the check seeing the same loss
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(5), status.Unsubscribed);
        Assert.Equal(1, status.Disconnects);
        Assert.False(status.IsSubscribed);

        status.Message(); // a message proves the subscription
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(status.IsSubscribed);
        Assert.Equal(TimeSpan.FromSeconds(5), status.Unsubscribed);
        Assert.Equal(1, status.Messages);
    }

    [Fact]
    public void DegradedReasons_NotSubscribed_SaysForHowLongAndWhy_UntilStopped()
    {
        using var stopping = new CancellationTokenSource();
        var status = new RedisSubscriptionStatus("redis://127.0.0.1:6379/0", "/0.celeryev/task.*", _time, NullLogger.Instance, stopping.Token);
        status.Failed("RedisConnectionException: refused");
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal(["not subscribed to Redis for 7 s (events published meanwhile are not seen): RedisConnectionException: refused"], status.DegradedReasons());

        stopping.Cancel();
        Assert.Empty(status.DegradedReasons());
    }
}

using Ingest.Sources.Amqp;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Sources.Amqp;

/// <summary>What <c>/healthz</c> says of the AMQP source while it is down, timed on a fake clock.</summary>
public class AmqpSourceStatusTests
{
    [Fact]
    public void DegradedReasons_DownThroughSeveralStates_AgeCountsFromTheFirstAndEndsWhenUp()
    {
        var (status, time) = Status();
        status.MarkDown(AmqpState.Connecting, null);
        time.Advance(TimeSpan.FromSeconds(30));
        status.MarkDown(AmqpState.Connecting, "BrokerUnreachableException: refused");
        time.Advance(TimeSpan.FromSeconds(12));

        Assert.Equal(["broker not connected for 42 s: BrokerUnreachableException: refused"], status.DegradedReasons());

        status.MarkUp();
        Assert.Empty(status.DegradedReasons());
        Assert.Equal(AmqpState.Connected, status.State);
    }

    [Fact]
    public void DegradedReasons_Resubscribing_SaysConnectedButNotConsuming()
    {
        var (status, time) = Status();
        status.MarkUp();
        status.MarkDown(AmqpState.Resubscribing, "consumer cancelled by the broker");
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["broker connected but not consuming for 3 s: consumer cancelled by the broker"], status.DegradedReasons());
    }

    private static (AmqpSourceStatus Status, FakeTimeProvider Time) Status()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        return (new AmqpSourceStatus(new AmqpOptions(), "ingest.test", new DeliveryAckLedger(ackEvery: 200, untilDurable: false), time), time);
    }
}

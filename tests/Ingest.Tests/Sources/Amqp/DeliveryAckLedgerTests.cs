using Ingest.Sources.Amqp;

namespace Ingest.Tests.Sources.Amqp;

/// <summary>Which delivery tags may be acknowledged, without a broker: at most once, and at least once (issue 13).</summary>
public class DeliveryAckLedgerTests
{
    [Fact]
    public void TakeAckable_AtMostOnce_IsTheLastDeliveryHandled()
    {
        var ledger = new DeliveryAckLedger(ackEvery: 100, untilDurable: false);
        for (ulong tag = 1; tag <= 5; tag++)
        {
            ledger.Delivered(tag, appliedSeq: 0, ledger.Generation);
        }

        Assert.Equal(5UL, ledger.TakeAckable(durableSeq: 0));
        Assert.Equal(0, ledger.AwaitingDurable);
    }

    [Fact]
    public void TakeAckable_NothingDeliveredSinceTheLastAck_TakesNothing()
    {
        var ledger = new DeliveryAckLedger(ackEvery: 100, untilDurable: false);
        ledger.Delivered(1, 0, ledger.Generation);
        ledger.Delivered(2, 0, ledger.Generation);
        ledger.Acked(ledger.TakeAckable(0));

        Assert.Equal(0UL, ledger.TakeAckable(0));
        Assert.Equal(2UL, ledger.LastAcked);
    }

    [Fact]
    public void TakeAckable_AtLeastOnce_OnlyUpToTheLastDeliveryWhoseSequenceIsDurable()
    {
        var ledger = new DeliveryAckLedger(ackEvery: 100, untilDurable: true);
        ledger.Delivered(1, appliedSeq: 10, ledger.Generation);
        ledger.Delivered(2, appliedSeq: 20, ledger.Generation);
        ledger.Delivered(3, appliedSeq: 30, ledger.Generation);

        Assert.Equal(0UL, ledger.TakeAckable(durableSeq: 9));
        Assert.Equal(2UL, ledger.TakeAckable(durableSeq: 25));
        ledger.Acked(2);
        Assert.Equal(1, ledger.AwaitingDurable);
        Assert.Equal(0UL, ledger.TakeAckable(durableSeq: 29));
        Assert.Equal(3UL, ledger.TakeAckable(durableSeq: 30));
        Assert.Equal(0, ledger.AwaitingDurable);
    }

    [Fact]
    public void TakeAckable_ADeliveryOfAnOlderChannelFinishingLate_IsNeverAckedOnTheNewOne()
    {
        // Its tag names another delivery on the new channel; the broker redelivers the old one's messages.
        var ledger = new DeliveryAckLedger(ackEvery: 100, untilDurable: true);
        var before = ledger.Generation;
        ledger.Delivered(1, appliedSeq: 1, before);
        ledger.NewChannel();
        ledger.Delivered(7, appliedSeq: 2, before);

        Assert.Equal(0UL, ledger.TakeAckable(durableSeq: long.MaxValue));
        Assert.Equal(0, ledger.AwaitingDurable);

        ledger.Delivered(1, appliedSeq: 3, ledger.Generation);
        Assert.Equal(1UL, ledger.TakeAckable(durableSeq: 3));
    }

    [Fact]
    public void NewChannel_ForgetsTheOldChannelsTagsAndWhatAwaitedDurability()
    {
        var ledger = new DeliveryAckLedger(ackEvery: 100, untilDurable: true);
        ledger.Delivered(1, 1, ledger.Generation);
        ledger.Delivered(2, 2, ledger.Generation);
        ledger.Acked(ledger.TakeAckable(1));
        var generation = ledger.Generation;

        ledger.NewChannel();

        Assert.Equal(generation + 1, ledger.Generation);
        Assert.Equal(0UL, ledger.LastAcked);
        Assert.Equal(0, ledger.AwaitingDurable);
        Assert.Equal(0UL, ledger.TakeAckable(long.MaxValue));
    }

    [Fact]
    public void Delivered_AGroupIsDue_OnceAckEveryTagsPassedTheLastAck()
    {
        var ledger = new DeliveryAckLedger(ackEvery: 3, untilDurable: false);

        Assert.Equal([false, false, true], new ulong[] { 1, 2, 3 }.Select(tag => ledger.Delivered(tag, 0, ledger.Generation)));
        ledger.Acked(ledger.TakeAckable(0));
        Assert.Equal([false, false, true], new ulong[] { 4, 5, 6 }.Select(tag => ledger.Delivered(tag, 0, ledger.Generation)));
    }

    [Fact]
    public void Constructor_AckEveryBelowOne_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeliveryAckLedger(ackEvery: 0, untilDurable: false));
    }
}

using System.Collections.Concurrent;

namespace Ingest.Sources.Amqp;

/// <summary>
/// Which delivery tags of the consuming channel may be acknowledged, and when a group of them is due. Pure
/// bookkeeping (no channel, no clock): the source asks it what to ack and tells it what it acked.
/// At most once, every delivery handled may be acked. At least once (issue 13), each delivery is noted with the
/// tracker's applied sequence after it, and acked once the durable watermark passes that sequence.
/// One delivery handler and one acker (under the source's ack lock) at a time; the counters are read from anywhere.
/// </summary>
public sealed class DeliveryAckLedger
{
    private readonly int _ackEvery;

    // At most a prefetch of entries: the broker sends no more unacked.
    private readonly ConcurrentQueue<(ulong Tag, long Seq, int Generation)> _awaitingDurable = new();

    private ulong _lastDeliveryTag;
    private ulong _lastAckedTag;

    // Bumped with every new channel (resubscribe, recovery): a tag from an older one must never be acknowledged
    // on the new one, where it names another delivery.
    private int _generation;

    /// <summary>A ledger acking in groups of <paramref name="ackEvery"/>; after the commit when <paramref name="untilDurable"/>, else after the merge.</summary>
    public DeliveryAckLedger(int ackEvery, bool untilDurable)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ackEvery, 1);
        _ackEvery = ackEvery;
        UntilDurable = untilDurable;
    }

    /// <summary>True when a delivery is acked only once what it did is durable (at least once).</summary>
    public bool UntilDurable { get; }

    /// <summary>The current channel's generation: read when a delivery starts, passed to <see cref="Delivered"/>.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Deliveries handled but not yet durable (at least once only).</summary>
    public int AwaitingDurable => _awaitingDurable.Count;

    /// <summary>The highest tag acknowledged on the current channel.</summary>
    public ulong LastAcked => Interlocked.Read(ref _lastAckedTag);

    /// <summary>
    /// A new channel: tags restart on it, so acks of the old one are void (the broker redelivers those messages);
    /// what the old one left awaiting durability is forgotten.
    /// </summary>
    public void NewChannel()
    {
        Interlocked.Exchange(ref _lastDeliveryTag, 0);
        Interlocked.Exchange(ref _lastAckedTag, 0);
        Interlocked.Increment(ref _generation);
        _awaitingDurable.Clear();
    }

    /// <summary>
    /// A delivery handled: <paramref name="appliedSeq"/> is the tracker's applied sequence once its events were
    /// merged, <paramref name="generation"/> the one read when it started. True when a group is due for acking.
    /// </summary>
    public bool Delivered(ulong tag, long appliedSeq, int generation)
    {
        if (UntilDurable)
        {
            _awaitingDurable.Enqueue((tag, appliedSeq, generation));
        }

        Interlocked.Exchange(ref _lastDeliveryTag, tag);
        return tag - Interlocked.Read(ref _lastAckedTag) >= (ulong)_ackEvery;
    }

    /// <summary>
    /// The tag to acknowledge now with one multiple-ack, or 0 when there is nothing new: all deliveries handled, or
    /// (at least once) those whose sequence <paramref name="durableSeq"/> has reached. Entries it passes are taken.
    /// </summary>
    public ulong TakeAckable(long durableSeq)
    {
        var tag = AckableTag(durableSeq);
        return tag > Interlocked.Read(ref _lastAckedTag) ? tag : 0;
    }

    /// <summary>The broker took the multiple-ack up to <paramref name="tag"/>.</summary>
    public void Acked(ulong tag) => Interlocked.Exchange(ref _lastAckedTag, tag);

    /// <summary>The highest delivery tag that may be acknowledged: all of them, or (at least once) those now durable.</summary>
    private ulong AckableTag(long durableSeq)
    {
        if (!UntilDurable)
        {
            return Interlocked.Read(ref _lastDeliveryTag);
        }

        var generation = Volatile.Read(ref _generation);
        var tag = 0UL;
        while (_awaitingDurable.TryPeek(out var next) && (next.Generation != generation || next.Seq <= durableSeq) && _awaitingDurable.TryDequeue(out next))
        {
            if (next.Generation == generation)
            {
                tag = next.Tag;
            }
        }

        return tag;
    }
}

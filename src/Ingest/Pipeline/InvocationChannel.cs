using System.Threading.Channels;
using Ingest.Diagnostics;
using Ingest.Storage;
using Ingest.Tracking;

namespace Ingest.Pipeline;

/// <summary>
/// The one bounded, drop-oldest channel between the tracker and the flush loop. Memory is bounded by
/// construction: when it is full, the oldest record goes and is counted as queue_full (DropOldest's
/// <c>TryWrite</c> always succeeds, so the <c>itemDropped</c> callback is the only place a drop is seen).
/// </summary>
public sealed class InvocationChannel : IInvocationSink
{
    private readonly Channel<InvocationRecord> _channel;
    private readonly IngestCounters _counters;
    private readonly TimeProvider _time;

    public InvocationChannel(PipelineOptions options, IngestCounters counters, TimeProvider time)
    {
        _counters = counters;
        _time = time;
        Capacity = options.ChannelCapacity;
        _channel = Channel.CreateBounded<InvocationRecord>(
            new BoundedChannelOptions(options.ChannelCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnDropped);
    }

    public int Capacity { get; }

    /// <summary>Records waiting in the channel.</summary>
    public int Count => _channel.Reader.Count;

    public ChannelReader<InvocationRecord> Reader => _channel.Reader;

    public void Write(InvocationRecord record)
    {
        // Counted before the write so that, at rest, received = flushed + dropped + queued holds exactly.
        _counters.AddInvocationReceived();
        if (!_channel.Writer.TryWrite(record))
        {
            // Only after Complete (shutdown): the record cannot be queued any more.
            _counters.AddDropped(DropReason.Shutdown);
        }
    }

    /// <summary>No more writes: the flush loop drains what is left.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void OnDropped(InvocationRecord dropped)
    {
        _counters.AddDropped(DropReason.QueueFull);
    }
}

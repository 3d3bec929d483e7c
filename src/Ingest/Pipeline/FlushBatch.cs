using Ingest.Storage;

namespace Ingest.Pipeline;

/// <summary>
/// The batch the flush loop has in hand: records taken from the channel and not yet committed or dropped, their
/// bytes (in the memory budget's writing share until cleared), the sequence number of the first, and the clock
/// the stall is measured on. Used by the loop's one thread only.
/// </summary>
internal sealed class FlushBatch
{
    private readonly InvocationChannel _channel;
    private readonly FlushLoopState _state;
    private readonly int _maxCount;
    private long _bytes;
    private long _firstSeq;

    public FlushBatch(InvocationChannel channel, FlushLoopState state, int maxCount)
    {
        _channel = channel;
        _state = state;
        _maxCount = maxCount;
        Records = new List<InvocationRecord>(maxCount);
    }

    /// <summary>The records in hand, in the order they were taken.</summary>
    public List<InvocationRecord> Records { get; }

    /// <summary>Records in hand.</summary>
    public int Count => Records.Count;

    /// <summary>At its size in records or in bytes.</summary>
    public bool IsFull => Records.Count >= _maxCount || _bytes >= _channel.Budget.MaxBatchBytes;

    /// <summary>When the collection of this batch began.</summary>
    public long StartedTimestamp { get; set; }

    /// <summary>When the previous commit left records waiting; 0 if it left none (an idle wait is not a stall).</summary>
    public long BacklogSinceTimestamp { get; set; }

    /// <summary>Records have waited since the previous commit if it left a backlog, else since this batch was started.</summary>
    public long WaitingSinceTimestamp => BacklogSinceTimestamp != 0 ? BacklogSinceTimestamp : StartedTimestamp;

    /// <summary>Fills the batch from the channel up to its size in records or in bytes.</summary>
    public void TakeFromChannel()
    {
        while (!IsFull && _channel.TryRead(out var record, out var bytes, out var seq))
        {
            if (Records.Count == 0)
            {
                _firstSeq = seq;
            }

            Records.Add(record);
            _bytes += bytes;
        }
    }

    /// <summary>
    /// Every record up to this number is committed or was dropped (counted): gone from the channel and not in the
    /// batch still to be written.
    /// </summary>
    public long CommittedThroughSequence()
    {
        var gone = _channel.GoneThroughSequence;
        return Records.Count > 0 ? Math.Min(gone, _firstSeq - 1) : gone;
    }

    /// <summary>Empties the batch: its records are committed or dropped, and its bytes leave the budget.</summary>
    public void Clear()
    {
        Records.Clear();
        _channel.Budget.AddWriting(-_bytes);
        _bytes = 0;
        _state.SetInProgress(0);
    }
}

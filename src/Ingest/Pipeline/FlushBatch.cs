using Ingest.Accounting;
using Ingest.Storage;
using Ingest.Storage.Writing;

namespace Ingest.Pipeline;

/// <summary>
/// The batch the flush loop has in hand: records taken from the channel and not yet committed or dropped, their
/// bytes (in the memory budget's writing share until cleared), the sequence number of the first, and the clock
/// the stall is measured on. Its <see cref="NewDayGate"/> keeps the partitions one batch creates bounded: a record
/// of one new day too many is held and opens the next batch; one dated outside the window is set aside, counted.
/// Used by the loop's one thread only.
/// </summary>
internal sealed class FlushBatch
{
    private readonly InvocationChannel _channel;
    private readonly FlushLoopState _state;
    private readonly IngestCounters _counters;
    private readonly NewDayGate _days;
    private readonly int _maxCount;
    private long _bytes;
    private long _firstSeq;
    private Taken? _held;

    public FlushBatch(InvocationChannel channel, FlushLoopState state, IngestCounters counters, PipelineOptions options)
    {
        _channel = channel;
        _state = state;
        _counters = counters;
        _maxCount = options.BatchSize;
        // Half the stall threshold for new days leaves the other half to the rows, the rollups and the commit.
        _days = new NewDayGate(options.MaxNewDaysPerBatch, options.StallThreshold / 2);
        Records = new List<InvocationRecord>(_maxCount);
        Prepared = new List<PreparedWrite>(_maxCount);
    }

    /// <summary>The records in hand, in the order they were taken.</summary>
    public List<InvocationRecord> Records { get; }

    /// <summary>The same records as the producer prepared them for the writer, in the same order.</summary>
    public List<PreparedWrite> Prepared { get; }

    /// <summary>Records in hand.</summary>
    public int Count => Records.Count;

    /// <summary>Records taken from the channel and not yet committed or dropped: the batch and the one held for the next.</summary>
    public int InHand => Records.Count + (_held is null ? 0 : 1);

    /// <summary>At its size in records or in bytes, or at the new days one batch may create.</summary>
    public bool IsFull => Records.Count >= _maxCount || _bytes >= _channel.Budget.MaxBatchBytes || _held is not null;

    /// <summary>When the collection of this batch began.</summary>
    public long StartedTimestamp { get; set; }

    /// <summary>When the previous commit left records waiting; 0 if it left none (an idle wait is not a stall).</summary>
    public long BacklogSinceTimestamp { get; set; }

    /// <summary>Records have waited since the previous commit if it left a backlog, else since this batch was started.</summary>
    public long WaitingSinceTimestamp => BacklogSinceTimestamp != 0 ? BacklogSinceTimestamp : StartedTimestamp;

    /// <summary>The writer whose partitions decide which records a batch takes (set once it is open).</summary>
    public void Attach(IBatchWriter writer) => _days.Attach(writer);

    /// <summary>
    /// Fills the batch, first with the record held from the last one, then from the channel, up to its size in
    /// records or in bytes, or until a record would be one new day too many.
    /// </summary>
    public void TakeFromChannel()
    {
        if (_held is { } held && Records.Count == 0)
        {
            _held = null;
            Offer(held);
        }

        while (!IsFull && _channel.TryRead(out PreparedWrite prepared, out var bytes, out var seq))
        {
            Offer(new Taken(prepared, bytes, seq));
        }
    }

    /// <summary>
    /// Every record up to this number is committed or was dropped (counted): gone from the channel and not in the
    /// batch still to be written.
    /// </summary>
    public long CommittedThroughSequence()
    {
        var gone = _channel.GoneThroughSequence;
        if (Records.Count > 0)
        {
            gone = Math.Min(gone, _firstSeq - 1);
        }

        return _held is { } held ? Math.Min(gone, held.Seq - 1) : gone;
    }

    /// <summary>Empties the batch: its records are committed or dropped, and its bytes leave the budget. A held record stays for the next.</summary>
    public void Clear()
    {
        Records.Clear();
        Prepared.Clear();
        _channel.Budget.AddWriting(-_bytes);
        _bytes = 0;
        _days.NextBatch();
        _state.SetInProgress(InHand);
    }

    /// <summary>Empties the batch and lets the held record go too (the drain has counted them); returns how many went.</summary>
    public int ClearAll()
    {
        var count = InHand;
        if (_held is { } held)
        {
            _channel.Budget.AddWriting(-held.Bytes);
            _held = null;
        }

        Clear();
        return count;
    }

    private void Offer(Taken taken)
    {
        switch (_days.Admit(taken.Prepared.Record))
        {
            case DayAdmission.SetAside:
                _channel.Budget.AddWriting(-taken.Bytes);
                _counters.AddDropped(DropReason.OutsideWindow);
                return;
            case DayAdmission.Wait:
                _held = taken;
                return;
        }

        if (Records.Count == 0)
        {
            _firstSeq = taken.Seq;
        }

        Records.Add(taken.Prepared.Record);
        Prepared.Add(taken.Prepared);
        _bytes += taken.Bytes;
    }

    /// <summary>A prepared record taken from the channel, with the bytes it was accounted at and its sequence number.</summary>
    private readonly record struct Taken(PreparedWrite Prepared, long Bytes, long Seq);
}

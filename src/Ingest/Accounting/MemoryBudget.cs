namespace Ingest.Accounting;

/// <summary>
/// One byte budget for what the tracker, the channel and the batch being written hold (issue 12: 19,200 unfinished tasks with 32,000-char
/// args took RSS from 177 MiB to 3 GiB while a task-count cap said all was well). Both account every record as it
/// enters and leaves, by <see cref="RecordSize"/>. The tracker keeps to its share, five eighths of the budget, by
/// writing its oldest in-flight tasks early; the batch being written takes at most an eighth; the channel keeps
/// the total under the budget by dropping its oldest records, counted. So the channel always has a quarter of the
/// budget for the tasks the tracker lets go, HTTP senders are told to wait once half of that is used
/// (<see cref="ChannelPressed"/>), and a flush loop that keeps up loses nothing. Thread-safe; reads are lock-free.
/// </summary>
public sealed class MemoryBudget
{
    private readonly TimeProvider _time;
    private long _trackerBytes;
    private long _channelBytes;
    private long _writingBytes;
    private long _lastLimitedTimestamp;

    /// <param name="limitBytes">The whole budget (<c>--max-memory-mb</c> in bytes).</param>
    /// <param name="time">Dates the last time the budget limited anything.</param>
    public MemoryBudget(long limitBytes, TimeProvider time)
    {
        _time = time;
        LimitBytes = limitBytes;
        TrackerLimitBytes = LimitBytes / 8 * 5;
        MaxBatchBytes = LimitBytes / 8;
    }

    /// <summary>
    /// Most bytes of records in one batch: the batch being written has left the channel but is still in memory
    /// (with its search-index text), so it is counted too, and a batch of 2000 records of 128 KB is not 256 MB.
    /// </summary>
    public long MaxBatchBytes { get; }

    /// <summary>Records taken by the flush loop and not yet committed.</summary>
    public long WritingBytes => Volatile.Read(ref _writingBytes);

    /// <summary>The whole budget.</summary>
    public long LimitBytes { get; }

    /// <summary>The tracker's share: past it, its oldest in-flight tasks are written early.</summary>
    public long TrackerLimitBytes { get; }

    public long TrackerBytes => Volatile.Read(ref _trackerBytes);

    public long ChannelBytes => Volatile.Read(ref _channelBytes);

    public long UsedBytes => TrackerBytes + ChannelBytes + WritingBytes;

    /// <summary>True while the tracker holds more than its share.</summary>
    public bool TrackerOver => TrackerBytes > TrackerLimitBytes;

    /// <summary>The channel holds over half its quarter: senders that can wait should.</summary>
    public bool ChannelPressed => ChannelBytes > LimitBytes / 8;

    /// <summary>True while the tracker and the channel together hold more than the budget.</summary>
    public bool Over => UsedBytes > LimitBytes;

    /// <summary>When the budget last forced an early write or a drop (a <see cref="TimeProvider.GetTimestamp"/> value), 0 if never.</summary>
    public long LastLimitedTimestamp => Volatile.Read(ref _lastLimitedTimestamp);

    private long _peakUsedBytes;

    /// <summary>
    /// The most the tracker, channel and batch held together since start. Over the budget only by the record
    /// being taken in before the oldest makes room for it.
    /// </summary>
    public long PeakUsedBytes => Volatile.Read(ref _peakUsedBytes);

    internal void AddTracker(long delta)
    {
        Interlocked.Add(ref _trackerBytes, delta);
        NotePeak(delta);
    }

    internal void AddChannel(long delta)
    {
        Interlocked.Add(ref _channelBytes, delta);
        NotePeak(delta);
    }

    internal void AddWriting(long delta)
    {
        Interlocked.Add(ref _writingBytes, delta);
        NotePeak(delta);
    }

    private void NotePeak(long delta)
    {
        if (delta <= 0)
        {
            return;
        }

        var used = UsedBytes;
        long peak;
        while (used > (peak = Volatile.Read(ref _peakUsedBytes)) && Interlocked.CompareExchange(ref _peakUsedBytes, used, peak) != peak)
        {
        }
    }

    internal void MarkLimited() => Volatile.Write(ref _lastLimitedTimestamp, _time.GetTimestamp());
}

using Ingest.Accounting;
using System.Threading.Channels;
using Ingest.Storage;
using Ingest.Storage.Writing;

namespace Ingest.Pipeline;

/// <summary>
/// The one bounded, drop-oldest channel between the tracker and the flush loop. Memory is bounded by
/// construction, in records and in bytes: when it holds its capacity, the oldest record goes and is counted as
/// queue_full (DropOldest's <c>TryWrite</c> always succeeds, so the <c>itemDropped</c> callback is the only place
/// that drop is seen); when the tracker and the channel together hold the <see cref="MemoryBudget"/>, the oldest
/// records go until they fit, counted as memory_budget.
/// Each record is prepared for its write as it enters (<see cref="PreparedWrite"/>: its day, rollup contribution,
/// search text, root_id), on the writer's thread (the tracker's), so the flush thread only binds and steps
/// (issue 29); the preparation's bytes are counted with the record's. The detail sample (<see cref="DetailSampler"/>)
/// decides there too.
/// </summary>
public sealed class InvocationChannel : IInvocationSink
{
    private readonly Channel<Queued> _channel;
    private readonly IngestCounters _counters;
    private readonly MemoryBudget _budget;
    private readonly WorkerGroups _groups;
    private readonly DetailSampler? _sampler;
    private readonly Storage.Details.DetailCompression? _compression;

    /// <param name="options">Capacity and byte budget.</param>
    /// <param name="counters">Where drops are counted.</param>
    /// <param name="time">The budget's clock.</param>
    /// <param name="budget">The byte budget shared with the tracker (a new one of the options' size if null).</param>
    /// <param name="groups">The worker grouping the writer's rollups use (the storage option's pattern); the default grouping if null.</param>
    /// <param name="compression">The details' per-day dictionaries the SQLite writer stores (issue 29): records are compressed here, as they enter; null: not.</param>
    public InvocationChannel(PipelineOptions options, IngestCounters counters, TimeProvider time, MemoryBudget? budget = null, WorkerGroups? groups = null,
        Storage.Details.DetailCompression? compression = null)
    {
        _compression = compression;
        _counters = counters;
        _groups = groups ?? WorkerGroups.Default;
        _budget = budget ?? new MemoryBudget(options.MaxMemoryBytes, time);
        Capacity = options.ChannelCapacity;
        _sampler = options.DetailSample > 0 ? new DetailSampler(options.DetailSample, time, counters) : null;
        _channel = Channel.CreateBounded<Queued>(
            new BoundedChannelOptions(options.ChannelCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                // The flush loop reads; a writer over the byte budget also takes the oldest out, so two readers.
                SingleReader = false,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnDropped);
    }

    public int Capacity { get; }

    public MemoryBudget Budget => _budget;

    /// <summary>The detail sample (<c>--detail-sample</c>), null when off.</summary>
    public DetailSampler? Sampler => _sampler;

    /// <summary>Records waiting in the channel.</summary>
    public int Count => _channel.Reader.Count;

    private long _sequence;

    /// <summary>
    /// Every record written before the oldest one still queued has been taken by the flush loop or dropped: the
    /// sequence number up to which nothing waits here. Reads the last number before looking, so a record written
    /// meanwhile is never counted as gone.
    /// </summary>
    public long GoneThroughSequence
    {
        get
        {
            // The last record whose write is done, not the last number handed out: a number is taken before its
            // record is in the channel, and counting it gone in between would let its checkpoint row go first.
            var last = Interlocked.Read(ref _written);
            return _channel.Reader.TryPeek(out var oldest) ? Math.Min(oldest.Seq - 1, last) : last;
        }
    }

    private long _written;

    public long Write(InvocationRecord record)
    {
        // Counted before the write so that, at rest, received = flushed + dropped + queued holds exactly.
        _counters.AddInvocationReceived();
        // The detail sample decides here, with the rest of the record's preparation, never on the flush thread; a
        // sampled record is also smaller in the byte budget from here on.
        if (_sampler is not null)
        {
            record = _sampler.Apply(record);
        }

        var prepared = PreparedWrite.Of(record, _groups, _compression);
        var bytes = RecordSize.Of(record) + prepared.Bytes;
        _budget.AddChannel(bytes);
        // The tracker writes under its lock, so numbers follow the channel's order.
        var seq = Interlocked.Increment(ref _sequence);
        if (!_channel.Writer.TryWrite(new Queued(prepared, bytes, seq)))
        {
            // Only after Complete (shutdown): the record cannot be queued any more.
            _budget.AddChannel(-bytes);
            _counters.AddDropped(DropReason.Shutdown);
            Interlocked.Exchange(ref _written, seq);
            return seq;
        }

        Interlocked.Exchange(ref _written, seq);
        while (_budget.Over && _channel.Reader.TryRead(out var oldest))
        {
            _budget.AddChannel(-oldest.Bytes);
            _budget.MarkLimited();
            _counters.AddDropped(DropReason.MemoryBudget);
        }

        return seq;
    }

    /// <summary>
    /// Takes the oldest record for the flush loop. Its bytes move from the channel to the batch being written in
    /// the budget; the loop gives them back with <see cref="MemoryBudget.AddWriting"/> when the batch is done.
    /// </summary>
    public bool TryRead(out PreparedWrite prepared, out long bytes, out long seq)
    {
        if (_channel.Reader.TryRead(out var queued))
        {
            _budget.AddChannel(-queued.Bytes);
            _budget.AddWriting(queued.Bytes);
            prepared = queued.Prepared;
            bytes = queued.Bytes;
            seq = queued.Seq;
            return true;
        }

        prepared = null!;
        bytes = 0;
        seq = 0;
        return false;
    }

    /// <summary>Takes and forgets the oldest record (tests, and the end of a drain).</summary>
    public bool TryRead(out InvocationRecord record)
    {
        var read = TryRead(out PreparedWrite prepared, out var bytes, out _);
        _budget.AddWriting(-bytes);
        record = read ? prepared.Record : null!;
        return read;
    }

    public bool IsEmpty => !_channel.Reader.TryPeek(out _);

    /// <summary>Completes when a record may be read; false once completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>No more writes: the flush loop drains what is left.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void OnDropped(Queued dropped)
    {
        _budget.AddChannel(-dropped.Bytes);
        _counters.AddDropped(DropReason.QueueFull);
    }

    /// <summary>A prepared record with the bytes it was accounted at, so that what leaves is what entered.</summary>
    private readonly record struct Queued(PreparedWrite Prepared, long Bytes, long Seq);
}

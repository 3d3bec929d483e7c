using Ingest.Pipeline;
using Ingest.Storage;

namespace Ingest.Tests.Support;

/// <summary>
/// Wraps a writer and can hold the flush loop inside <see cref="Write"/> until released: the way to force a
/// backlog, drops and a stalled health state for certain, without timing luck.
/// </summary>
internal sealed class GatedWriter : IBatchWriter
{
    private readonly IBatchWriter? _inner;
    private readonly ManualResetEventSlim _gate = new(initialState: true);
    private readonly SemaphoreSlim _entered = new(0);
    private int _failuresLeft;

    public GatedWriter(IBatchWriter? inner = null)
    {
        _inner = inner;
    }

    public List<InvocationRecord> Written { get; } = [];

    public int Batches { get; private set; }

    /// <summary>The next writes block until <see cref="Open"/>.</summary>
    public void Close() => _gate.Reset();

    public void Open() => _gate.Set();

    /// <summary>Any write holding this task id throws, as a record the writer cannot store would (not an I/O fault).</summary>
    public string? PoisonTaskId { get; set; }

    /// <summary>Writes attempted, committed or not.</summary>
    public int Attempts { get; private set; }

    /// <summary>The next <paramref name="count"/> writes throw.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    /// <summary>Completes when the flush loop has entered a write (and, if closed, is held there).</summary>
    public Task EnteredAsync(CancellationToken cancellationToken = default) => _entered.WaitAsync(cancellationToken);

    public void WriteQueueSamples(IReadOnlyList<Ingest.Storage.Rollups.QueueSample> samples) => _inner?.WriteQueueSamples(samples);

    public IReadOnlyList<Ingest.Storage.Checkpoint.CheckpointRow> ReadCheckpoint(int max) => _inner?.ReadCheckpoint(max) ?? [];

    public void Write(IReadOnlyList<InvocationRecord> batch, Ingest.Storage.Checkpoint.CheckpointDelta? checkpoint = null)
    {
        _entered.Release();
        _gate.Wait();
        Attempts++;
        if (PoisonTaskId is { } poison && batch.Any(r => r.TaskId == poison))
        {
            throw new InvalidOperationException($"cannot store {poison}");
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new IOException("injected write failure");
        }

        _inner?.Write(batch, checkpoint);
        lock (Written)
        {
            Written.AddRange(batch);
            Batches++;
        }
    }

    public Ingest.Storage.Partitions.DayPlacement Place(DateOnly day) => _inner?.Place(day) ?? Ingest.Storage.Partitions.DayPlacement.Existing;

    public TimeSpan NewDayCost => _inner?.NewDayCost ?? TimeSpan.Zero;

    public void RecordShutdownDrops(long count) => _inner?.RecordShutdownDrops(count);

    public long? ReadShutdownDrops() => _inner?.ReadShutdownDrops();

    /// <summary>Write probes run (they do not pass the gate, and do not use up the failures <see cref="FailNext"/> set).</summary>
    public int Probes => Volatile.Read(ref _probes);

    private int _probes;

    /// <summary>Fails as the writes would: while failures set by <see cref="FailNext"/> are left.</summary>
    public void ProbeWrite()
    {
        Interlocked.Increment(ref _probes);
        if (Volatile.Read(ref _failuresLeft) > 0)
        {
            throw new IOException("injected write failure");
        }

        _inner?.ProbeWrite();
    }

    public bool Maintain(CancellationToken cancellationToken) => _inner?.Maintain(cancellationToken) ?? false;

    public void Dispose()
    {
        _gate.Set();
        _inner?.Dispose();
    }
}

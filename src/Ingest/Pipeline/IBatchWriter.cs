using Ingest.Storage;
using Ingest.Storage.Writing;

namespace Ingest.Pipeline;

/// <summary>What the flush loop writes through: SQLite in production, a gated wrapper in tests.</summary>
public interface IBatchWriter : IDisposable
{
    /// <summary>Commits a batch, with the checkpoint's changes if any, in one transaction, all or nothing. Throws on failure.</summary>
    void Write(IReadOnlyList<InvocationRecord> batch, Storage.Checkpoint.CheckpointDelta? checkpoint = null);

    /// <summary>
    /// Commits a batch the producer prepared (<paramref name="prepared"/>: the same records, in order, with their
    /// day, rollup contribution and search text worked out off the flush thread, issue 29), all or nothing. A writer
    /// that has no use for the preparation need not implement this: it writes <paramref name="batch"/>.
    /// </summary>
    void Write(IReadOnlyList<InvocationRecord> batch, IReadOnlyList<PreparedWrite> prepared, Storage.Checkpoint.CheckpointDelta? checkpoint = null) =>
        Write(batch, checkpoint);

    /// <summary>Commits broker queue samples in a short transaction of their own. Throws on failure.</summary>
    void WriteQueueSamples(IReadOnlyList<Storage.Rollups.QueueSample> samples);

    /// <summary>Commits control audit entries (issue 27) in a short transaction of their own. Throws on failure.</summary>
    void WriteAudit(IReadOnlyList<Storage.Audit.AuditEntry> entries)
    {
    }

    /// <summary>Upserts worker states (issue 25) in a short transaction of their own. Throws on failure.</summary>
    void WriteWorkers(IReadOnlyList<Storage.Workers.WorkerStateRow> rows)
    {
    }

    /// <summary>The stored worker states to restore at start, most recently seen first.</summary>
    IReadOnlyList<Storage.Workers.WorkerStateRow> ReadWorkers(int max) => [];

    /// <summary>
    /// A tiny write of its own (one meta row, one transaction), run while commits are failing and nothing is left
    /// to write, to learn that the store takes writes again. Throws on failure.
    /// </summary>
    void ProbeWrite();

    /// <summary>The in-flight checkpoint to restore at start, most recently updated first.</summary>
    IReadOnlyList<Storage.Checkpoint.CheckpointRow> ReadCheckpoint(int max) => [];

    /// <summary>
    /// Where a record of <paramref name="day"/> would be written: its existing partition, a new one inside the
    /// window retention keeps (plus tomorrow), or nowhere (issue 24). A test writer has every day.
    /// </summary>
    Storage.Partitions.DayPlacement Place(DateOnly day) => Storage.Partitions.DayPlacement.Existing;

    /// <summary>How long the last new day's tables took to create: what the next new day in a batch will cost, at least.</summary>
    TimeSpan NewDayCost => TimeSpan.Zero;

    /// <summary>Records how many records the shutdown drain could not write, for the next start to report.</summary>
    void RecordShutdownDrops(long count)
    {
    }

    /// <summary>What the last shutdown recorded with <see cref="RecordShutdownDrops"/>; null if nothing.</summary>
    long? ReadShutdownDrops() => null;

    /// <summary>
    /// One short maintenance step between batches (partition creation, retention, vacuum). Never runs beside a
    /// write. Returns true if more maintenance is waiting (the loop then runs another step when it is not busy).
    /// </summary>
    bool Maintain(CancellationToken cancellationToken);
}

using Ingest.Storage;

namespace Ingest.Pipeline;

/// <summary>What the flush loop writes through: SQLite in production, a gated wrapper in tests.</summary>
public interface IBatchWriter : IDisposable
{
    /// <summary>Commits a batch, with the checkpoint's changes if any, in one transaction, all or nothing. Throws on failure.</summary>
    void Write(IReadOnlyList<InvocationRecord> batch, Storage.Checkpoint.CheckpointDelta? checkpoint = null);

    /// <summary>Commits broker queue samples in a short transaction of their own. Throws on failure.</summary>
    void WriteQueueSamples(IReadOnlyList<Storage.Rollups.QueueSample> samples);

    /// <summary>
    /// A tiny write of its own (one meta row, one transaction), run while commits are failing and nothing is left
    /// to write, to learn that the store takes writes again. Throws on failure.
    /// </summary>
    void ProbeWrite();

    /// <summary>The in-flight checkpoint to restore at start, most recently updated first.</summary>
    IReadOnlyList<Storage.Checkpoint.CheckpointRow> ReadCheckpoint(int max) => [];

    /// <summary>
    /// One short maintenance step between batches (partition creation, retention, vacuum). Never runs beside a
    /// write. Returns true if more maintenance is waiting (the loop then runs another step when it is not busy).
    /// </summary>
    bool Maintain(CancellationToken cancellationToken);
}

using Ingest.Storage.Checkpoint;

namespace Ingest.Pipeline;

/// <summary>
/// What the flush loop needs of the tasks still in flight upstream (the tracker): their checkpoint, written between
/// batches and restored at start (issue 13), and their last state at shutdown. Declared here so the pipeline never
/// depends on the tracker that feeds it; the tracker implements it.
/// </summary>
public interface IInFlightTasks
{
    /// <summary>The task cap: a restore reads at most this many checkpoint rows.</summary>
    int MaxTasks { get; }

    /// <summary>Puts checkpointed tasks back, newest first; returns how many were restored.</summary>
    int Restore(IReadOnlyList<CheckpointRow> newestFirst);

    /// <summary>
    /// The changes since the last checkpoint, up to <paramref name="maxBytes"/> of text, once every record up to
    /// <paramref name="goneThroughSeq"/> is committed or dropped.
    /// </summary>
    (CheckpointDelta Delta, long AppliedSeq, long RecordSeq, bool Complete) TakeCheckpoint(long goneThroughSeq, long maxBytes = long.MaxValue);

    /// <summary>A checkpoint that failed to commit: what it took is written again by the next one.</summary>
    void Recheckpoint(CheckpointDelta failed);

    /// <summary>Emits every unfinished task with its last state (shutdown); returns how many.</summary>
    int FlushAll(bool keepCheckpoint = false);
}

namespace Ingest.Storage.Checkpoint;

/// <summary>
/// What changed in the in-flight checkpoint since the last one, committed in the same transaction as a batch:
/// the merge state of each task that changed and is still unfinished, and the tasks whose invocation has now
/// been written (finished, or let go early), whose checkpoint rows go.
/// </summary>
public sealed record CheckpointDelta(IReadOnlyList<CheckpointRow> Upserts, IReadOnlyList<string> Deletes)
{
    public static readonly CheckpointDelta Empty = new([], []);

    /// <summary>
    /// The upserted tasks as invocations as they stand, when the tracker is asked for them (a store shared by several
    /// instances, issue 26): written beside the checkpoint, so the events an instance acknowledged are readable by
    /// every other instance, merged with what they saw, even after this one is killed. Empty otherwise.
    /// </summary>
    public IReadOnlyList<InvocationRecord> Records { get; init; } = [];

    public bool IsEmpty => Upserts.Count == 0 && Deletes.Count == 0;
}

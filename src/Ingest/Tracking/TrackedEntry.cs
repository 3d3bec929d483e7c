using System.Diagnostics;

namespace Ingest.Tracking;

/// <summary>
/// One task in the tracker: its merge, where it is in its life there (<see cref="State"/>), its place in the
/// last-update order, and what the checkpoint knows of it. The checkpoint's two marks are not part of the state:
/// an entry in any state may have a checkpoint row or not (<see cref="Checkpointed"/>), and changes no take has
/// written yet or not (<see cref="DirtySince"/>). A finished task's merge may be frozen into the map's
/// <see cref="FrozenTaskStore"/> while it lingers (issue 29); <see cref="Merge"/> thaws it on first use, so callers
/// see the same merge either way. Used under the tracker's lock.
/// </summary>
internal sealed class TrackedEntry(TaskMerge merge)
{
    private TaskMerge? _merge = merge;
    private FrozenSlot _frozen;

    /// <summary>The task id (readable without thawing a frozen merge).</summary>
    public string TaskId { get; } = merge.TaskId;

    /// <summary>The task's merge; a frozen one is thawed here and stays live until the map freezes it again.</summary>
    public TaskMerge Merge
    {
        get
        {
            if (_merge is null)
            {
                if (_frozen.Chunk is null)
                {
                    throw new InvalidOperationException($"task {TaskId}: its finished state left the tracker with it");
                }

                _merge = _frozen.Chunk.Store.Thaw(TaskId, _frozen);
                _frozen = default;
            }

            return _merge;
        }
    }

    /// <summary>Whether its merge is frozen in the store (only a finished task's is).</summary>
    public bool IsFrozen => _merge is null;

    /// <summary>The task has finished (<see cref="TaskMerge.IsReady"/>); a frozen merge is always a finished task's.</summary>
    public bool IsReady => _merge?.IsReady ?? true;

    /// <summary>
    /// Freezes a finished task's merge into <paramref name="store"/> while it lingers; false when it is frozen
    /// already, not finished, or the store declines (the merge then stays live, as before).
    /// </summary>
    public bool Freeze(FrozenTaskStore store)
    {
        if (_merge is not { IsReady: true } || !store.TryFreeze(_merge, out var slot))
        {
            return false;
        }

        _frozen = slot;
        _merge = null;
        return true;
    }

    /// <summary>The map's in-flight or finished list it is in; null once it has left the map.</summary>
    public TrackedEntryList? List { get; set; }

    /// <summary>The entry updated just before it in its list (<see cref="TrackedEntryList"/>), or null.</summary>
    public TrackedEntry? Previous { get; set; }

    /// <summary>The entry updated just after it in its list, or null.</summary>
    public TrackedEntry? Next { get; set; }

    /// <summary>When its last event arrived (UTC ticks): the last-update order, idle expiry and linger go by it.</summary>
    public long LastSeenTicks { get; set; }

    /// <summary>Where it is in its life in the tracker; changed only by the transitions below.</summary>
    public TrackedState State { get; private set; } = TrackedState.InFlight;

    /// <summary>What it was last accounted at in the byte budget.</summary>
    public long Bytes { get; set; }

    /// <summary>
    /// The applied sequence when it changed after the last take (and was listed in the checkpoint's dirty list);
    /// null when no change waits. Applied events are durable only below it until a take writes it.
    /// </summary>
    public long? DirtySince { get; set; }

    /// <summary>Has a row in the checkpoint table (or will once the take that wrote it commits).</summary>
    public bool Checkpointed { get; set; }

    /// <summary>In the map: events still merge into it.</summary>
    public bool IsTracked => State switch
    {
        TrackedState.InFlight or TrackedState.Emitted => true,
        TrackedState.Released or TrackedState.KeptForRestart => false,
        _ => throw new UnreachableException($"tracked state {State}"),
    };

    /// <summary>The checkpoint takes its unfinished state (if it changed): true unless its record now carries it.</summary>
    public bool CheckpointTakesIt => State switch
    {
        TrackedState.InFlight or TrackedState.Emitted or TrackedState.KeptForRestart => true,
        TrackedState.Released => false,
        _ => throw new UnreachableException($"tracked state {State}"),
    };

    /// <summary>Whether an event sends its invocation: a terminal one always; once sent, any that changes it.</summary>
    /// <param name="terminal">The event ends an attempt.</param>
    /// <param name="changed">The event changed what the record shows.</param>
    public bool EmitsOn(bool terminal, bool changed) => State switch
    {
        TrackedState.InFlight => terminal,
        TrackedState.Emitted => terminal || changed,
        TrackedState.Released or TrackedState.KeptForRestart =>
            throw new InvalidOperationException($"task {TaskId} has left the tracker ({State}): no event reaches it"),
        _ => throw new UnreachableException($"tracked state {State}"),
    };

    /// <summary>Its invocation was sent.</summary>
    public void MarkEmitted() => State = State switch
    {
        TrackedState.InFlight or TrackedState.Emitted => TrackedState.Emitted,
        TrackedState.Released or TrackedState.KeptForRestart => throw Invalid(nameof(MarkEmitted)),
        _ => throw new UnreachableException($"tracked state {State}"),
    };

    /// <summary>Written at shutdown, its checkpoint row kept for the next start.</summary>
    public void KeepForRestart() => State = State switch
    {
        TrackedState.InFlight or TrackedState.Emitted => TrackedState.KeptForRestart,
        TrackedState.Released or TrackedState.KeptForRestart => throw Invalid(nameof(KeepForRestart)),
        _ => throw new UnreachableException($"tracked state {State}"),
    };

    /// <summary>Leaves the map: released to its record, unless it was kept for the next start.</summary>
    public void LeaveMap()
    {
        State = State switch
        {
            TrackedState.InFlight or TrackedState.Emitted => TrackedState.Released,
            TrackedState.KeptForRestart => TrackedState.KeptForRestart,
            TrackedState.Released => throw Invalid(nameof(LeaveMap)),
            _ => throw new UnreachableException($"tracked state {State}"),
        };
        List?.Remove(this);
        if (_merge is null)
        {
            // A finished task leaving: its record carries it, so its slot goes back unread (no thaw per task).
            _frozen.Chunk.Store.Release(_frozen);
            _frozen = default;
        }
    }

    private InvalidOperationException Invalid(string transition) =>
        new($"task {TaskId}: {transition} from {State}");
}

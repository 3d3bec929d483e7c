using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ingest.Tracking;

/// <summary>
/// Keeps the merges of finished tasks that linger in the tracker (for late events) as their snapshot bytes, packed
/// into a few large reused chunks, instead of as live objects (issue 29). A finished task lingers for seconds, or
/// until the tracker's byte share pushes it out: long enough that its merge and every string it held were promoted
/// through gen1 into gen2, where they died, so that nearly every collection of a replay was a blocking gen1 with the
/// flush thread waiting on it (pipeline-gc-profile.md). Frozen, a task's state costs no object the collector copies,
/// and its texts (which the emitted record still holds until the flush) die young.
/// The snapshot is the checkpoint's (<see cref="TaskMerge.WriteSnapshot"/>), made to merge later events exactly as if
/// the task had never left memory; a late event thaws it (<see cref="Thaw"/>), and the tracker freezes it again.
/// Bounded: at most <see cref="MaxChunks"/> chunks of <see cref="ChunkBytes"/>; a task that does not fit (or whose
/// state cannot be written) stays a live object, as before, counted in <see cref="Declined"/>. A chunk is reused only
/// when none of its slots is live. Not thread-safe: used under the tracker's lock.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Reliability", "CA1001", Justification = "The writer only writes to an ArrayBufferWriter: nothing unmanaged to release, and one writer reused saves an object per task.")]
internal sealed class FrozenTaskStore
{
    /// <summary>
    /// Bytes per chunk: enough to pack about a hundred tasks, small enough to free in step with the linger, and under
    /// the large object heap's 85,000 bytes, whose allocations start gen2 collections (a first profile with 256 KiB
    /// chunks saw 7 of its 26 gen2 collections started by them).
    /// </summary>
    public const int ChunkBytes = 64 * 1024;

    // Relaxed escaping keeps non-ASCII text at its UTF-8 size; the bytes are only ever read back here.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly Stack<Chunk> _free = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly Utf8JsonWriter _writer;
    private Chunk? _current;

    /// <param name="maxBytes">Most bytes the chunks may take together (at least one chunk).</param>
    public FrozenTaskStore(long maxBytes)
    {
        MaxChunks = (int)Math.Clamp(maxBytes / ChunkBytes, 1, int.MaxValue);
        _writer = new Utf8JsonWriter(_scratch, s_writerOptions);
    }

    /// <summary>Most chunks the store allocates.</summary>
    public int MaxChunks { get; }

    /// <summary>Chunks allocated so far (reused ones counted once).</summary>
    public int Chunks { get; private set; }

    /// <summary>Merges frozen and not yet released.</summary>
    public int Live { get; private set; }

    /// <summary>Merges that stayed live objects: the store was full, or their state could not be written.</summary>
    public long Declined { get; private set; }

    /// <summary>Writes <paramref name="merge"/>'s state into a slot; false (and nothing kept) when it does not fit.</summary>
    public bool TryFreeze(TaskMerge merge, out FrozenSlot slot)
    {
        slot = default;
        // The budget's estimate counts two bytes a character and the snapshot takes at least one: past twice a chunk
        // the state needs about a chunk or more, so a task with large args is declined without first writing all of
        // it under the tracker's lock (to be thrown away), and the scratch never grows to its size.
        if (merge.EstimateBytes() > 2L * ChunkBytes)
        {
            Declined++;
            return false;
        }

        _scratch.ResetWrittenCount();
        _writer.Reset(_scratch);
        try
        {
            merge.WriteSnapshot(_writer);
            _writer.Flush();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // A text the writer refuses (a lone surrogate) or a number JSON cannot spell: keep the object.
            Declined++;
            return false;
        }

        var length = _scratch.WrittenCount;
        if (length > ChunkBytes || (_current is null || _current.Used + length > ChunkBytes) && !NextChunk())
        {
            Declined++;
            return false;
        }

        var chunk = _current!;
        _scratch.WrittenSpan.CopyTo(chunk.Bytes.AsSpan(chunk.Used));
        slot = new FrozenSlot(chunk, chunk.Used, length);
        chunk.Used += length;
        chunk.Live++;
        Live++;
        return true;
    }

    /// <summary>The merge frozen in <paramref name="slot"/>, as it was; the slot is released.</summary>
    public TaskMerge Thaw(string taskId, FrozenSlot slot)
    {
        TaskMerge merge;
        using (var doc = JsonDocument.Parse(slot.Bytes))
        {
            merge = TaskMerge.ReadSnapshot(taskId, doc.RootElement);
        }

        Release(slot);
        return merge;
    }

    /// <summary>Lets go of a slot: its chunk is reused once none of its slots is live.</summary>
    public void Release(FrozenSlot slot)
    {
        var chunk = slot.Chunk;
        chunk.Live--;
        Live--;
        if (chunk.Live > 0)
        {
            return;
        }

        chunk.Used = 0;
        if (!ReferenceEquals(chunk, _current))
        {
            _free.Push(chunk);
        }
    }

    /// <summary>Moves on to a free chunk, or a new one under the cap; false when every chunk holds live slots.</summary>
    private bool NextChunk()
    {
        if (_current is { Live: 0 })
        {
            _current.Used = 0;
            return true;
        }

        if (_free.TryPop(out var reused))
        {
            _current = reused;
            return true;
        }

        if (Chunks >= MaxChunks)
        {
            return false;
        }

        Chunks++;
        _current = new Chunk(this);
        return true;
    }

    /// <summary>One chunk: its store, its bytes, how far they are used, and how many slots in it are live.</summary>
    internal sealed class Chunk(FrozenTaskStore store)
    {
        public FrozenTaskStore Store { get; } = store;

        public byte[] Bytes { get; } = new byte[ChunkBytes];

        public int Used { get; set; }

        public int Live { get; set; }
    }
}

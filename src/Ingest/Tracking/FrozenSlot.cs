namespace Ingest.Tracking;

/// <summary>
/// Where a frozen merge's bytes are in a <see cref="FrozenTaskStore"/>: its chunk, offset and length. Valid until
/// the store releases it (a thaw, or the task leaving the map); the chunk is reused only once none of its slots is live.
/// </summary>
internal readonly record struct FrozenSlot(FrozenTaskStore.Chunk Chunk, int Offset, int Length)
{
    /// <summary>The snapshot's UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => Chunk.Bytes.AsMemory(Offset, Length);
}

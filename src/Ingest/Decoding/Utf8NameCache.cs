namespace Ingest.Decoding;

/// <summary>
/// The strings of the identifiers a fleet repeats on every event (event types, task names, hostnames, queues,
/// exchanges, software versions), found by their UTF-8 bytes so the decoder does not allocate the same string again
/// for each event (issue 29: with a root task's id shared with its uuid, a fifth of the decoder's bytes, 1,087 B per
/// event of the fixture before, 891 B after). Only printable ASCII up to <see cref="MaxBytes"/> is kept: for those the
/// string is the bytes, with nothing to repair, so a hit returns exactly what decoding them would. Capped at
/// <see cref="Sets"/> × 2 entries: a new name replaces the older of the two entries of its set (counted in
/// <see cref="Evictions"/>), so a flood of one-off names costs hits, never memory. Lock-free and thread-safe: an
/// entry is immutable and replaced whole; a lost race only loses a cache entry.
/// </summary>
internal sealed class Utf8NameCache
{
    /// <summary>Longest name kept, in bytes; longer ones are decoded each time.</summary>
    public const int MaxBytes = 128;

    /// <summary>Sets of two entries: 4,096 names at most, about 1 MB at the longest.</summary>
    public const int Sets = 2048;

    private readonly Entry?[] _entries = new Entry?[Sets * 2];
    private long _stamp;
    private long _evictions;

    /// <summary>Names that replaced an older one in a full set.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Whether <paramref name="utf8"/> is a name this cache keeps: printable ASCII, not too long.</summary>
    public static bool Fits(ReadOnlySpan<byte> utf8) =>
        utf8.Length <= MaxBytes && utf8.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0;

    /// <summary>The string of <paramref name="utf8"/> (which must <see cref="Fits"/>), made and kept on a miss.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        var set = (int)((uint)Hash(utf8) % Sets) * 2;
        var first = _entries[set];
        if (first is not null && utf8.SequenceEqual(first.Key))
        {
            return first.Value;
        }

        var second = _entries[set + 1];
        if (second is not null && utf8.SequenceEqual(second.Key))
        {
            return second.Value;
        }

        var entry = new Entry(utf8.ToArray(), System.Text.Encoding.ASCII.GetString(utf8), Interlocked.Increment(ref _stamp));
        var older = first is null ? 0 : second is null ? 1 : first.Stamp <= second.Stamp ? 0 : 1;
        if ((older == 0 ? first : second) is not null)
        {
            Interlocked.Increment(ref _evictions);
        }

        _entries[set + older] = entry;
        return entry.Value;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
        return hash.ToHashCode();
    }

    private sealed record Entry(byte[] Key, string Value, long Stamp);
}

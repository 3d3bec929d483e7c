using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using ZstdSharp;

namespace Ingest.Storage.Details;

/// <summary>
/// A long details value (args, kwargs) held in memory as zstd-compressed UTF-8, or as plain UTF-8 when it does not
/// compress (issue 29). Such a value waits in the tracker and the channel for a few tenths of a second: long enough
/// to be promoted to gen2 and die there. As a string, 19,200 tasks with 32,000-character args and kwargs sent 128 KB a
/// record through gen2, and with a faster writer the GC's committed heap ran 100-180 MiB above what was alive. Held
/// like this, the string the decoder made dies young and what ages is the compressed bytes. The writer binds the
/// UTF-8 itself; a string is made only where one is asked for (<see cref="ToString"/>). Immutable and thread-safe.
/// </summary>
public sealed class CompactText : IEquatable<CompactText>
{
    /// <summary>Values shorter than this (characters) stay strings: a compressed value is worth it only where it is large.</summary>
    public const int MinChars = 4096;

    /// <summary>The level: the fastest; a repeated or structured value compresses well enough at it.</summary>
    private const int Level = 1;

    /// <summary>Compression contexts kept for reuse, all threads together; one more is made and let go past it.</summary>
    private const int PooledContexts = 4;

    private static readonly ConcurrentQueue<Compressor> s_compressors = new();
    private static readonly ConcurrentQueue<Decompressor> s_decompressors = new();

    private readonly byte[] _data;
    private readonly bool _compressed;

    private CompactText(byte[] data, bool compressed, int length, int utf8Length)
    {
        _data = data;
        _compressed = compressed;
        Length = length;
        Utf8Length = utf8Length;
    }

    /// <summary>The text's length in characters.</summary>
    public int Length { get; }

    /// <summary>The text's length in UTF-8 bytes.</summary>
    public int Utf8Length { get; }

    /// <summary>Whether it is held compressed (else as plain UTF-8).</summary>
    public bool Compressed => _compressed;

    /// <summary>What it holds in memory: the array and the two objects' headers.</summary>
    public long HeldBytes => 56 + _data.Length;

    /// <summary>The compact form of <paramref name="text"/> when it is at least <see cref="MinChars"/> long, else null (keep the string).</summary>
    public static CompactText? Of(string? text) => text is { Length: >= MinChars } ? Compact(text) : null;

    /// <summary>A text as it is held: the compact form when it is at least <see cref="MinChars"/> long, else the string itself (or null).</summary>
    public static object? Hold(string? text) => (object?)Of(text) ?? text;

    /// <summary>A value as held (a string or a compact text) as a string; a compact one is made a string here, each time.</summary>
    public static string? Text(object? held) => held as string ?? (held as CompactText)?.ToString();

    /// <summary>
    /// The compact form of any text: compressed when that saves a tenth or more, else its UTF-8.
    /// </summary>
    public static CompactText Compact(string text)
    {
        var utf8Length = Encoding.UTF8.GetByteCount(text);
        var rented = ArrayPool<byte>.Shared.Rent(utf8Length + Compressor.GetCompressBound(utf8Length));
        try
        {
            var utf8 = rented.AsSpan(0, utf8Length);
            Encoding.UTF8.GetBytes(text, utf8);
            var frame = rented.AsSpan(utf8Length);
            if (!s_compressors.TryDequeue(out var compressor))
            {
                compressor = new Compressor(Level);
            }

            var fits = compressor.TryWrap(utf8, frame, out var written);
            Return(s_compressors, compressor);
            return fits && written < utf8Length - (utf8Length / 10)
                ? new CompactText(frame[..written].ToArray(), compressed: true, text.Length, utf8Length)
                : new CompactText(utf8.ToArray(), compressed: false, text.Length, utf8Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes the text's UTF-8 into <paramref name="destination"/> (at least <see cref="Utf8Length"/> long); returns its length.</summary>
    public int CopyUtf8To(Span<byte> destination)
    {
        if (!_compressed)
        {
            _data.CopyTo(destination);
            return _data.Length;
        }

        if (!s_decompressors.TryDequeue(out var decompressor))
        {
            decompressor = new Decompressor();
        }

        try
        {
            return decompressor.Unwrap(_data, destination[..Utf8Length]);
        }
        finally
        {
            Return(s_decompressors, decompressor);
        }
    }

    /// <summary>Runs <paramref name="use"/> on the text's UTF-8 in a rented buffer, valid only during the call.</summary>
    public TResult WithUtf8<TResult>(Func<ReadOnlySpan<byte>, TResult> use)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, Utf8Length));
        try
        {
            var written = CopyUtf8To(rented);
            return use(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The text, as a new string.</summary>
    public override string ToString() => WithUtf8(static utf8 => Encoding.UTF8.GetString(utf8));

    public bool Equals(CompactText? other) =>
        other is not null && (ReferenceEquals(this, other)
            || (_compressed == other._compressed && Length == other.Length && _data.AsSpan().SequenceEqual(other._data)));

    public override bool Equals(object? obj) => Equals(obj as CompactText);

    public override int GetHashCode() => HashCode.Combine(Length, Utf8Length, _data.Length);

    private static void Return<T>(ConcurrentQueue<T> pool, T context)
        where T : IDisposable
    {
        if (pool.Count < PooledContexts)
        {
            pool.Enqueue(context);
        }
        else
        {
            context.Dispose();
        }
    }
}

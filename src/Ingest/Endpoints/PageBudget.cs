using System.Text.Json;

namespace Ingest.Endpoints;

/// <summary>
/// The bytes a page's items serialize to, counted as they are added, so that a list stops before its answer passes
/// <see cref="MaxBytes"/> and hands out a cursor instead: a row limit alone let /api/tasks answer 59 MB (issue 24).
/// Items are measured by serializing them into a counter, not a buffer.
/// </summary>
public sealed class PageBudget(JsonSerializerOptions options, long maxBytes = PageBudget.DefaultMaxBytes)
{
    /// <summary>The most one page's items take, serialized.</summary>
    public const long DefaultMaxBytes = 4L * 1024 * 1024;

    /// <summary>The most this page's items take.</summary>
    public long MaxBytes => maxBytes;

    /// <summary>Bytes taken so far.</summary>
    public long Used { get; private set; }

    /// <summary>
    /// Takes <paramref name="item"/> if it fits; false once the page is full. The first item always fits, so that a
    /// page moves on however large one item is.
    /// </summary>
    public bool TryAdd<T>(T item)
    {
        using var counter = new CountingStream();
        JsonSerializer.Serialize(counter, item, options);
        if (Used > 0 && Used + counter.Length > maxBytes)
        {
            return false;
        }

        Used += counter.Length;
        return true;
    }

    /// <summary>A stream that keeps nothing but the count of what was written to it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

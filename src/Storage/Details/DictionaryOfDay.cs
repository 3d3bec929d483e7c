using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Ingest.Storage.Details;

/// <summary>
/// One zstd dictionary of a day's details (issue 29), with the contexts that compress and decompress with it.
/// A day may have several (a restart before the first was stored, a retrain), each with its own id, so a row
/// always names the one it was compressed with. Thread-safe: the producer compresses, readers decompress.
/// </summary>
public sealed class DictionaryOfDay
{
    /// <summary>
    /// The zstd level details are compressed at. With a dictionary, small values compress as well at 1 as at 6 or 9
    /// (4,000 kwargs of the spike capture with its trained dictionary, zstd's own bench: 122.6 KB at 1, 125.3 at 6,
    /// 125.5 at 9) at twice the speed of 6, and the producer pays for every row.
    /// </summary>
    internal const int Level = 1;

    private readonly Lock _compressLock = new();
    private readonly Lock _decompressLock = new();
    private Compressor? _compressor;
    private Decompressor? _decompressor;
    private volatile bool _stored;

    /// <param name="day">The day whose details it compresses.</param>
    /// <param name="id">Its id within the day (1 and up), written into every value compressed with it.</param>
    /// <param name="bytes">The dictionary as zstd's trainer made it.</param>
    public DictionaryOfDay(DateOnly day, int id, byte[] bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(id, 1);
        Day = day;
        Id = id;
        Bytes = bytes;
    }

    /// <summary>The day whose details it compresses.</summary>
    public DateOnly Day { get; }

    /// <summary>Its id within the day.</summary>
    public int Id { get; }

    /// <summary>The dictionary's bytes, as stored in the day's dictionary table.</summary>
    public byte[] Bytes { get; }

    /// <summary>
    /// Whether a committed transaction holds it in its day's table. The writer stores it, in the transaction of the
    /// first row compressed with it, and sets this only once that transaction committed (a rollback stores it again).
    /// </summary>
    public bool Stored => _stored;

    /// <summary>What it costs in memory, near enough: its bytes and the contexts' tables built from them.</summary>
    public long MemoryBytes => 3L * Bytes.Length;

    internal void MarkStored() => _stored = true;

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>; false if it does not fit.</summary>
    internal bool TryCompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        lock (_compressLock)
        {
            if (_compressor is null)
            {
                var compressor = new Compressor(Level);
                // The row says which dictionary; the frame need not (4 bytes a value).
                compressor.SetParameter(ZSTD_cParameter.ZSTD_c_dictIDFlag, 0);
                compressor.LoadDictionary(Bytes);
                _compressor = compressor;
            }

            return _compressor.TryWrap(source, destination, out written);
        }
    }

    /// <summary>Decompresses one whole frame into <paramref name="destination"/>, which must hold exactly its content.</summary>
    internal int Decompress(ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        lock (_decompressLock)
        {
            if (_decompressor is null)
            {
                var decompressor = new Decompressor();
                decompressor.LoadDictionary(Bytes);
                _decompressor = decompressor;
            }

            return _decompressor.Unwrap(frame, destination);
        }
    }
}

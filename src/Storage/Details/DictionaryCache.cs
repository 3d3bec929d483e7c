using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Details;

/// <summary>
/// The dictionaries a reader (or the writer's rare merge) has decompressed with, by day and id, loaded from the day's
/// table on first use. Capped in bytes: past the cap the longest-unused goes (counted) and is loaded again if needed.
/// Thread-safe; a value that cannot be read back is counted in <see cref="DecodeFailures"/>.
/// </summary>
public sealed class DictionaryCache
{
    /// <summary>Dictionaries held, in bytes (<see cref="DictionaryOfDay.MemoryBytes"/>): some dozens of days' worth.</summary>
    public const long DefaultMaxBytes = 4 << 20;

    private readonly Dictionary<(DateOnly Day, int Id), LinkedListNode<DictionaryOfDay>> _byKey = [];
    private readonly LinkedList<DictionaryOfDay> _recent = new();
    private readonly Lock _lock = new();
    private long _bytes;
    private long _evicted;
    private long _decodeFailures;

    /// <param name="maxBytes">Dictionaries held, in bytes.</param>
    public DictionaryCache(long maxBytes = DefaultMaxBytes) => MaxBytes = maxBytes;

    /// <summary>Dictionaries held, in bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>Dictionaries let go to stay inside <see cref="MaxBytes"/>.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Stored values that could not be read back (corrupt, a missing dictionary, over the size cap).</summary>
    public long DecodeFailures => Interlocked.Read(ref _decodeFailures);

    /// <summary>The text of a stored compressed value of <paramref name="day"/>, its dictionary read through <paramref name="connection"/> if not held.</summary>
    /// <exception cref="DetailFormatException">The value cannot be read back (counted).</exception>
    public string Decode(SqliteConnection connection, DateOnly day, ReadOnlySpan<byte> stored, SqliteTransaction? transaction = null)
    {
        try
        {
            return DetailCodec.Decode(stored, id => Get(connection, day, id, transaction));
        }
        catch (DetailFormatException)
        {
            Interlocked.Increment(ref _decodeFailures);
            throw;
        }
    }

    /// <summary>
    /// What a reader shows for a value it cannot read back: the reason, in place of the text, so the rest of the
    /// row and of the page is still shown.
    /// </summary>
    public string DecodeOrExplain(SqliteConnection connection, DateOnly day, byte[] stored, SqliteTransaction? transaction = null)
    {
        try
        {
            return Decode(connection, day, stored, transaction);
        }
        catch (DetailFormatException e)
        {
            return $"[unreadable stored details: {e.Message}]";
        }
    }

    private DictionaryOfDay? Get(SqliteConnection connection, DateOnly day, int id, SqliteTransaction? transaction)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue((day, id), out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value;
            }
        }

        // Loaded outside the lock: another reader may load the same one meanwhile, and the second is dropped.
        var loaded = DictionaryTable.Find(connection, day, id, transaction);
        if (loaded is null)
        {
            return null;
        }

        lock (_lock)
        {
            if (_byKey.TryGetValue((day, id), out var node))
            {
                return node.Value;
            }

            _byKey.Add((day, id), _recent.AddFirst(loaded));
            _bytes += loaded.MemoryBytes;
            while (_bytes > MaxBytes && _recent.Count > 1)
            {
                var last = _recent.Last!.Value;
                _recent.RemoveLast();
                _byKey.Remove((last.Day, last.Id));
                _bytes -= last.MemoryBytes;
                Interlocked.Increment(ref _evicted);
            }

            return loaded;
        }
    }
}

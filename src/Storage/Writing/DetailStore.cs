using Ingest.Storage.Details;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// The writer's part in the details' dictionaries (issue 29), all on the flush thread and all SQLite: it tells the
/// producer's <see cref="DetailCompression"/> which days may be compressed and with which stored dictionaries (one
/// bounded read per day per process), stores a new dictionary in the transaction of the first row compressed with
/// it, and reads a compressed value back for the rare merge. It never compresses nor trains.
/// </summary>
internal sealed class DetailStore
{
    private readonly SqliteConnection _connection;
    private readonly DetailCompression? _compression;
    private readonly DictionaryCache _dictionaries = new();
    private readonly List<DictionaryOfDay> _storedInBatch = [];

    /// <param name="connection">The writer's connection.</param>
    /// <param name="compression">The producer's dictionaries; null: details are written as they come (text).</param>
    public DetailStore(SqliteConnection connection, DetailCompression? compression)
    {
        _connection = connection;
        _compression = compression;
    }

    /// <summary>Lets the producer compress a day the batch writes to, if the day has a dictionary table.</summary>
    public void Register(DayPartition day, bool keepsDetails, SqliteTransaction transaction)
    {
        if (_compression is null || !keepsDetails || DictionaryTable.Load(_connection, day, transaction) is not { } stored)
        {
            return;
        }

        _compression.Register(day.Day, stored.Newest, stored.MaxId);
    }

    /// <summary>Stores a dictionary in the batch's transaction (once per batch); it counts as stored once that commits.</summary>
    public void Store(DictionaryOfDay dictionary, SqliteTransaction transaction)
    {
        if (_storedInBatch.Contains(dictionary))
        {
            return;
        }

        DictionaryTable.Insert(_connection, dictionary, transaction);
        _storedInBatch.Add(dictionary);
    }

    /// <summary>After the batch committed: its dictionaries are stored for good.</summary>
    public void Committed()
    {
        foreach (var dictionary in _storedInBatch)
        {
            dictionary.MarkStored();
        }

        _storedInBatch.Clear();
    }

    /// <summary>After the batch rolled back: its dictionaries are stored again with their next row.</summary>
    public void RolledBack() => _storedInBatch.Clear();

    /// <summary>A day dropped, or its details: the producer stops compressing it.</summary>
    public void Forget(DateOnly day) => _compression?.Forget(day);

    /// <summary>The text of a compressed value of <paramref name="day"/> (a merge's index entry).</summary>
    public string Decode(DateOnly day, byte[] stored, SqliteTransaction transaction) => _dictionaries.DecodeOrExplain(_connection, day, stored, transaction);
}

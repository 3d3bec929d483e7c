using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// The prepared statements a batch writes each day with: its rows and details, its rollup upserts and its search
/// index writes. Each is prepared on first use and kept for the next batches (setting <c>CommandText</c> again would
/// throw the compiled statement away), for the few newest days written.
/// </summary>
internal sealed class DayStatements : IDisposable
{
    /// <summary>Days whose statements are kept prepared; a batch rarely spans more than today and yesterday.</summary>
    internal const int CacheDays = 4;

    private readonly SqliteConnection _connection;
    private readonly PartitionSet _partitions;
    private readonly WorkerGroups _groups;
    private readonly DetailStore _details;
    private readonly DayCache<PartitionStatements> _rows = new(CacheDays);
    private readonly DayCache<RollupStatements> _rollups = new(CacheDays);
    private readonly DayCache<SearchStatements?> _search = new(CacheDays);

    public DayStatements(SqliteConnection connection, PartitionSet partitions, WorkerGroups groups, DetailStore details)
    {
        _details = details;
        _connection = connection;
        _partitions = partitions;
        _groups = groups;
    }

    /// <summary>A day's row and detail writes; its tables are created inside the batch if missing.</summary>
    public PartitionStatements Rows(DayPartition day, SqliteTransaction transaction)
    {
        if (_rows.TryGet(day.Day, out var statements))
        {
            return statements;
        }

        // A late event for a day with no table yet (or a replayed capture): create it inside this batch.
        _partitions.CreateInBatch(day, transaction);
        // Once per day per process (and again if the day's statements were let go): the day's stored dictionaries,
        // one bounded read, so the producer compresses with them or trains the day's first.
        var keepsDetails = _partitions.KeepsDetails(day);
        _details.Register(day, keepsDetails, transaction);
        return _rows.Add(day.Day, new PartitionStatements(_connection, day, _groups, _details, keepDetails: keepsDetails));
    }

    /// <summary>A day's rollup upserts.</summary>
    public RollupStatements Rollups(DateOnly day) =>
        _rollups.TryGet(day, out var statements) ? statements : _rollups.Add(day, new RollupStatements(_connection, new DayPartition(day)));

    /// <summary>A day's index statements, or null for a day written with the index off (it has no index table).</summary>
    public SearchStatements? Search(DateOnly day)
    {
        if (_search.TryGet(day, out var statements))
        {
            return statements;
        }

        var partition = new DayPartition(day);
        return _search.Add(day, PartitionCatalog.TableExists(_connection, partition.SearchTable) ? new SearchStatements(_connection, partition) : null);
    }

    /// <summary>Disposes every statement prepared for a day (before it is dropped, or after its creation was rolled back).</summary>
    public void Forget(DateOnly day)
    {
        _rows.Forget(day);
        _rollups.Forget(day);
        _search.Forget(day);
    }

    public void Dispose()
    {
        _rows.Clear();
        _rollups.Clear();
        _search.Clear();
    }
}

using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// Writes broker queue samples into the queue-length table of each sample's day, with one insert prepared per day
/// and kept for the few newest days (as the batch statements are).
/// </summary>
internal sealed class QueueSampleWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly PartitionSet _partitions;
    private readonly DayCache<SqliteCommand> _inserts = new(DayStatements.CacheDays);

    public QueueSampleWriter(SqliteConnection connection, PartitionSet partitions)
    {
        _connection = connection;
        _partitions = partitions;
    }

    /// <summary>
    /// Writes the samples in one transaction of their own (a few rows every sampling interval), into the day of each
    /// sample's time; the day's tables are created if missing. A sample for a queue and second already stored
    /// replaces it. Returns the number written.
    /// </summary>
    public int Write(IReadOnlyList<QueueSample> samples)
    {
        if (samples.Count == 0)
        {
            return 0;
        }

        foreach (var sample in samples)
        {
            _partitions.Ensure(DayPartition.FromUnixSeconds(sample.At));
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var sample in samples)
        {
            var insert = InsertFor(DayPartition.FromUnixSeconds(sample.At), transaction);
            insert.Transaction = transaction;
            insert.Parameters[0].Value = sample.Queue;
            insert.Parameters[1].Value = sample.At;
            insert.Parameters[2].Value = sample.Length;
            insert.Parameters[3].Value = sample.Consumers is { } consumers ? consumers : DBNull.Value;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return samples.Count;
    }

    /// <summary>Disposes the insert prepared for a day (before it is dropped, or after its creation was rolled back).</summary>
    public void Forget(DateOnly day) => _inserts.Forget(day);

    public void Dispose() => _inserts.Clear();

    private SqliteCommand InsertFor(DayPartition day, SqliteTransaction transaction)
    {
        if (_inserts.TryGet(day.Day, out var insert))
        {
            return insert;
        }

        _partitions.EnsureQueueLengthsTable(day, transaction);
        insert = _connection.CreateCommand();
        insert.CommandText = $"INSERT OR REPLACE INTO {day.QueueLengthsSql} (queue, at, length, consumers) VALUES ($queue, $at, $length, $consumers)";
        foreach (var name in (ReadOnlySpan<string>)["$queue", "$at", "$length", "$consumers"])
        {
            insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        return _inserts.Add(day.Day, insert);
    }
}

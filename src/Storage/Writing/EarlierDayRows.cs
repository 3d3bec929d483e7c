using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// A task that began on an earlier day may already have a row there (written early: a retry, or a tracker
/// that let it go at its cap or idle limit). Reads show only the newest day's row, so the rollups must
/// count only that one: the newest earlier row is taken back. Primary-key probes, and only for records
/// whose first event falls on an earlier day than their partition.
/// </summary>
internal sealed class EarlierDayRows : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly PartitionSet _partitions;
    private readonly WorkerGroups _groups;
    private readonly DayCache<SqliteCommand> _probes = new(DayStatements.CacheDays * 2);

    public EarlierDayRows(SqliteConnection connection, PartitionSet partitions, WorkerGroups groups)
    {
        _connection = connection;
        _partitions = partitions;
        _groups = groups;
    }

    /// <summary>
    /// Takes back from <paramref name="rollups"/> the newest row an earlier day holds for a record just added as a
    /// new row to <paramref name="day"/>, if there is one.
    /// </summary>
    public void TakeBack(InvocationRecord record, DayPartition day, SqliteTransaction transaction, RollupBatch rollups)
    {
        var earliest = Min(record.SentAt, record.ReceivedAt, record.StartedAt);
        if (earliest is null || DayPartition.FromUnixSeconds(earliest.Value) >= day)
        {
            return;
        }

        var first = DayPartition.FromUnixSeconds(earliest.Value);
        foreach (var earlier in _partitions.NewestFirst(first, day))
        {
            if (earlier == day)
            {
                continue;
            }

            var probe = ProbeFor(earlier);
            probe.Parameters[0].Value = record.TaskId;
            probe.Transaction = transaction;
            using var reader = probe.ExecuteReader();
            if (reader.Read())
            {
                rollups.Add(earlier, StoredRow.ReadContribution(reader, 0, _groups), -1);
                return;
            }
        }
    }

    /// <summary>Disposes the probe prepared for a day (before it is dropped, or after its creation was rolled back).</summary>
    public void Forget(DateOnly day) => _probes.Forget(day);

    public void Dispose() => _probes.Clear();

    private static double? Min(double? a, double? b, double? c)
    {
        double? min = null;
        foreach (var v in (ReadOnlySpan<double?>)[a, b, c])
        {
            if (v is { } x && (min is null || x < min))
            {
                min = x;
            }
        }

        return min;
    }

    private SqliteCommand ProbeFor(DayPartition day)
    {
        if (_probes.TryGet(day.Day, out var probe))
        {
            return probe;
        }

        probe = _connection.CreateCommand();
        probe.CommandText = $"SELECT {StoredRow.Columns} FROM {day.InvocationsSql} WHERE task_id = $task_id";
        probe.Parameters.Add(new SqliteParameter("$task_id", DBNull.Value));
        return _probes.Add(day.Day, probe);
    }
}

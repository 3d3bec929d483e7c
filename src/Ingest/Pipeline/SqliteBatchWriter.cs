using Ingest.Accounting;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Migration;
using Ingest.Storage.Retention;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>The production <see cref="IBatchWriter"/>: the storage writer and its maintenance steps, on one connection.</summary>
public sealed class SqliteBatchWriter : IBatchWriter
{
    private readonly InvocationWriter _writer;
    private readonly StorageMaintenance _maintenance;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int? _keptDays;

    /// <param name="options">The file and how it is opened.</param>
    /// <param name="retention">What maintenance keeps.</param>
    /// <param name="status">Where maintenance publishes its facts.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where storage actions are logged.</param>
    /// <param name="walLimitBytes">Over this WAL size the facts carry a passive checkpoint's frame counts (0: never).</param>
    /// <param name="compression">The details' per-day dictionaries the channel compresses with (issue 29); null: details stored as text.</param>
    public SqliteBatchWriter(StorageOptions options, RetentionOptions retention, StorageStatus status, TimeProvider time, ILogger logger, long walLimitBytes = 0,
        Storage.Details.DetailCompression? compression = null)
    {
        _logger = logger;
        _time = time;
        // With retention off (replay keeps what it writes) no past day is out of reach; tomorrow still bounds the future.
        _keptDays = retention.DropDays ? retention.Days : null;
        _writer = new InvocationWriter(options, time, compression);
        try
        {
            _maintenance = new StorageMaintenance(_writer, retention, time, status) { WalLimitBytes = walLimitBytes };
        }
        catch
        {
            _writer.Dispose();
            throw;
        }

        switch (_writer.Migration)
        {
            case LegacyMigrationOutcome.Renamed:
                Log.LegacyRenamed(_logger, options.DatabasePath);
                break;
            case LegacyMigrationOutcome.Conflict:
                Log.LegacyConflict(_logger, options.DatabasePath);
                break;
        }

        if (status.Facts.AutoVacuum != "incremental")
        {
            Log.NoIncrementalVacuum(_logger, status.Facts.AutoVacuum);
        }
    }

    public void Write(IReadOnlyList<InvocationRecord> batch, Storage.Checkpoint.CheckpointDelta? checkpoint = null) => _writer.WriteBatch(batch, checkpoint);

    public void Write(IReadOnlyList<InvocationRecord> batch, IReadOnlyList<PreparedWrite> prepared, Storage.Checkpoint.CheckpointDelta? checkpoint = null) =>
        _writer.WriteBatch(prepared, checkpoint);

    public void WriteQueueSamples(IReadOnlyList<Storage.Rollups.QueueSample> samples) => _writer.WriteQueueSamples(samples);

    public void WriteAudit(IReadOnlyList<Storage.Audit.AuditEntry> entries) => _writer.WriteAudit(entries);

    public void WriteWorkers(IReadOnlyList<Storage.Workers.WorkerStateRow> rows) => _writer.WriteWorkers(rows);

    public IReadOnlyList<Storage.Workers.WorkerStateRow> ReadWorkers(int max) => _writer.ReadWorkers(max);

    public void ProbeWrite() => _maintenance.ProbeWrite();

    public IReadOnlyList<Storage.Checkpoint.CheckpointRow> ReadCheckpoint(int max) => _writer.ReadCheckpoint(max);

    public Storage.Partitions.DayPlacement Place(DateOnly day) => _writer.Place(day, Storage.Partitions.PartitionWindow.For(_time.GetUtcNow(), _keptDays));

    public TimeSpan NewDayCost => _writer.NewDayCost;

    public void RecordShutdownDrops(long count) => _writer.RecordShutdownDrops(count);

    public long? ReadShutdownDrops() => _writer.ReadShutdownDrops();

    public bool Maintain(CancellationToken cancellationToken)
    {
        var step = _maintenance.RunStep(cancellationToken);
        if (step.Kind is MaintenanceKind.CreatePartition or MaintenanceKind.Drop)
        {
            Log.StorageAction(_logger, step.Description!);
        }

        return step.MorePending;
    }

    public void Dispose() => _writer.Dispose();
}

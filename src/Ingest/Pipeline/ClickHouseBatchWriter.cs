using Ingest.Accounting;
using Ingest.Storage;
using Ingest.Storage.Checkpoint;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Rollups;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// The flush loop's writer on ClickHouse (issue 26): batches, queue samples, the in-flight checkpoint, the control
/// audit, worker states and the write probe through <see cref="ClickHouseStoreWriter"/>; retention as whole-day partition drops between batches.
/// </summary>
public sealed class ClickHouseBatchWriter : IBatchWriter
{
    /// <summary>How often maintenance asks ClickHouse which days exist: a retention drop is due once a day at most.</summary>
    public static readonly TimeSpan RetentionCheckInterval = TimeSpan.FromMinutes(1);

    private readonly ClickHouseStoreWriter _writer;
    private readonly RetentionOptions _retention;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int? _keptDays;
    private DateTimeOffset _nextRetentionCheck;

    /// <param name="writer">The store writer (owned: disposed with this).</param>
    /// <param name="retention">Days kept, and details kept.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where drops are logged.</param>
    public ClickHouseBatchWriter(ClickHouseStoreWriter writer, RetentionOptions retention, TimeProvider time, ILogger logger)
    {
        _writer = writer;
        _retention = retention;
        _time = time;
        _logger = logger;
        _keptDays = retention.DropDays ? retention.Days : null;
        _nextRetentionCheck = time.GetUtcNow() + retention.FirstDropDelay;
    }

    public void Write(IReadOnlyList<InvocationRecord> batch, CheckpointDelta? checkpoint = null) => _writer.WriteBatch(batch, checkpoint);

    public void WriteQueueSamples(IReadOnlyList<QueueSample> samples) => _writer.WriteQueueSamples(samples);

    public void WriteAudit(IReadOnlyList<Storage.Audit.AuditEntry> entries) => _writer.WriteAudit(entries);

    public void WriteWorkers(IReadOnlyList<Storage.Workers.WorkerStateRow> rows) => _writer.WriteWorkers(rows);

    public IReadOnlyList<Storage.Workers.WorkerStateRow> ReadWorkers(int max) => _writer.ReadWorkers(max);

    public void ProbeWrite() => _writer.ProbeWrite();

    public IReadOnlyList<CheckpointRow> ReadCheckpoint(int max) => _writer.ReadCheckpoint(max);

    /// <summary>Inside the window a day is as good as existing: ClickHouse creates a partition with its first insert.</summary>
    public DayPlacement Place(DateOnly day) =>
        PartitionWindow.For(_time.GetUtcNow(), _keptDays).Contains(day) ? DayPlacement.Existing : DayPlacement.OutsideWindow;

    public void RecordShutdownDrops(long count) => _writer.RecordShutdownDrops(count);

    public long? ReadShutdownDrops() => _writer.ReadShutdownDrops();

    public bool Maintain(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (now < _nextRetentionCheck || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (_writer.DropStep(_retention) is { } dropped)
        {
            Log.StorageAction(_logger, dropped);
            // Another day may be due as well: the loop runs the next step when it is not busy.
            return true;
        }

        _nextRetentionCheck = now + RetentionCheckInterval;
        return false;
    }

    public void Dispose() => _writer.Dispose();
}

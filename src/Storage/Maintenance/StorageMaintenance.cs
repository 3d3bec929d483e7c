using Ingest.Storage.Migration;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Writing;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// The short steps the flush loop runs between batches on the writer connection, never beside a write. Each
/// call does at most one bounded thing, in this order: create today's and tomorrow's partitions (instant,
/// empty tables); drop one whole day past retention or under disk pressure (DROP TABLE, never a row-by-row
/// DELETE: the hourly DELETE of the incident held the write lock 10+ minutes); drop one day's details past
/// detail retention (its details and search tables, whole); free pages with one
/// <c>incremental_vacuum</c> step sized to the time budget (dropped tables freed pages, but the file never
/// shrank until this was added).
/// </summary>
public sealed class StorageMaintenance
{
    private readonly InvocationWriter _writer;
    private readonly RetentionOptions _options;
    private readonly TimeProvider _time;
    private readonly VacuumStepPolicy _vacuum;
    private readonly long _startedTimestamp;

    private const int MinLegacyIndexRows = 100;
    private const int MaxLegacyIndexRows = 50_000;

    /// <summary>Legacy rows per indexing step, adapted to the step budget.</summary>
    private int _legacyIndexRows = 1000;

    public StorageMaintenance(InvocationWriter writer, RetentionOptions options, TimeProvider time, StorageStatus? status = null)
    {
        _writer = writer;
        _options = options;
        _time = time;
        _vacuum = new VacuumStepPolicy(options.VacuumStepBudget);
        Status = status ?? new StorageStatus();
        _startedTimestamp = time.GetTimestamp();
        Status.PublishDetailsDroppedThrough(writer.DetailsDroppedThrough);
        RefreshFacts();
    }

    public StorageStatus Status { get; }

    /// <summary>
    /// Over this many bytes of WAL file, each refresh of the facts runs a passive checkpoint to learn how many of its
    /// frames are held back (<see cref="StorageFacts.WalFrames"/>). 0: never. Under the limit auto-checkpointing is
    /// keeping up, and a checkpoint of our own would only add a sync.
    /// </summary>
    public long WalLimitBytes { get; init; }

    /// <summary>The meta row a write probe updates.</summary>
    private const string WriteProbeKey = "write_probed_at";

    /// <summary>
    /// A tiny write of its own: one meta row in one <c>BEGIN IMMEDIATE</c> transaction, committed (the write lock and
    /// a frame appended to the WAL, as any commit takes). Run while commits are failing and nothing is left to write,
    /// to learn that the store takes writes again. Throws what the commit throws.
    /// </summary>
    public void ProbeWrite()
    {
        var connection = _writer.Connection;
        using var transaction = connection.BeginTransaction(deferred: false);
        MetaTable.Set(connection, WriteProbeKey, _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), transaction);
        transaction.Commit();
    }

    /// <summary>Partitions created since start.</summary>
    public int PartitionsCreated { get; private set; }

    /// <summary>Runs one step.</summary>
    public MaintenanceStep RunStep(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _time.GetTimestamp();
        var today = DayPartition.FromTime(_time.GetUtcNow());
        foreach (var day in new[] { today, today.Next() })
        {
            if (_writer.EnsurePartition(day))
            {
                PartitionsCreated++;
                RefreshFacts();
                return new MaintenanceStep(MaintenanceKind.CreatePartition, $"created partition {day}", _time.GetElapsedTime(started), true);
            }
        }

        var facts = RefreshFacts();
        var dropsAllowed = _options.DropDays && _time.GetElapsedTime(_startedTimestamp) >= _options.FirstDropDelay;
        var plan = !dropsAllowed ? null
            : RetentionPlanner.Next(today, _options.Days, _writer.Days, facts.LegacyNewest, facts.LegacyPresent, facts.OverSizeCap || facts.UnderFreeDiskFloor);
        // With detail retention on, the operator has said details are worth less than rows: under disk pressure the
        // oldest day that still has details loses them before any day is dropped whole.
        if (plan is { Cause: DropCause.DiskPressure, IsLegacy: false } && _options.DetailDays > 0
            && RetentionPlanner.NextDetailDrop(today, 1, _writer.Days, _writer.DetailsDroppedThrough) is { } relief)
        {
            return DropDetails(relief, "disk pressure", started, cancellationToken);
        }

        if (plan is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var dropStarted = _time.GetTimestamp();
            if (plan.IsLegacy)
            {
                _writer.DropLegacy();
            }
            else
            {
                _writer.DropPartition(plan.Day!.Value);
            }

            var took = _time.GetElapsedTime(dropStarted);
            Status.Dropped(plan, took);
            RefreshFacts();
            return new MaintenanceStep(MaintenanceKind.Drop, $"dropped {plan.Describe()} in {took.TotalMilliseconds:F0} ms", _time.GetElapsedTime(started), true);
        }

        var detailDrop = !dropsAllowed ? null
            : RetentionPlanner.NextDetailDrop(today, _options.DetailDays, _writer.Days, _writer.DetailsDroppedThrough);
        if (detailDrop is { } strip)
        {
            return DropDetails(strip, "detail retention", started, cancellationToken);
        }

        // Minutes are kept 48 hours whatever the retention: a day's minute table goes whole once all of it is older.
        if (RetentionPlanner.NextMinuteDrop(_time.GetUtcNow(), InvocationWriter.MinuteRetention, _writer.MinuteDays) is { } minutes)
        {
            var minutesStarted = _time.GetTimestamp();
            _writer.DropMinutes(minutes);
            return new MaintenanceStep(MaintenanceKind.DropMinutes, $"dropped the minute rollup of {minutes:yyyy-MM-dd} in {_time.GetElapsedTime(minutesStarted).TotalMilliseconds:F0} ms", _time.GetElapsedTime(started), true);
        }

        if (facts.FreelistPages > 0 && facts.AutoVacuum == "incremental")
        {
            var pages = _vacuum.NextPages;
            var vacuumStarted = _time.GetTimestamp();
            _writer.Execute($"PRAGMA incremental_vacuum({pages})");
            var took = _time.GetElapsedTime(vacuumStarted);
            var after = RefreshFacts();
            var freed = (int)Math.Max(0, facts.FreelistPages - after.FreelistPages);
            _vacuum.Record(freed, took);
            Status.Vacuumed(freed, took, _vacuum.NextPages);
            return new MaintenanceStep(MaintenanceKind.Vacuum, null, _time.GetElapsedTime(started), after.FreelistPages > 0);
        }

        if (_writer.LegacySearchPending)
        {
            var indexStarted = _time.GetTimestamp();
            var rows = _writer.IndexLegacyChunk(_legacyIndexRows);
            var took = _time.GetElapsedTime(indexStarted);
            // Sized like the vacuum step: aim each step at the budget, whatever this disk and these rows cost.
            var scaled = took > TimeSpan.Zero ? _legacyIndexRows * (_options.VacuumStepBudget / took) : _legacyIndexRows * 2.0;
            _legacyIndexRows = (int)Math.Clamp(scaled, MinLegacyIndexRows, MaxLegacyIndexRows);
            return new MaintenanceStep(MaintenanceKind.IndexLegacy, $"indexed {rows} legacy rows for search", _time.GetElapsedTime(started), _writer.LegacySearchPending);
        }

        return MaintenanceStep.Nothing;
    }

    private MaintenanceStep DropDetails(DayPartition day, string cause, long started, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dropStarted = _time.GetTimestamp();
        _writer.DropDetails(day);
        var took = _time.GetElapsedTime(dropStarted);
        Status.PublishDetailsDroppedThrough(_writer.DetailsDroppedThrough);
        Status.DetailsDropped(day, took);
        RefreshFacts();
        return new MaintenanceStep(MaintenanceKind.DropDetails, $"dropped the details of partition {day} ({cause}) in {took.TotalMilliseconds:F0} ms", _time.GetElapsedTime(started), true);
    }

    /// <summary>
    /// Reads the cheap facts (header pragmas, file sizes, free disk; a passive checkpoint's frame counts when the WAL
    /// is over <see cref="WalLimitBytes"/>) and publishes them.
    /// </summary>
    public StorageFacts RefreshFacts()
    {
        var path = Path.GetFullPath(_writer.Options.DatabasePath);
        var pageSize = _writer.Pragma("page_size");
        var pageCount = _writer.Pragma("page_count");
        var freelist = _writer.Pragma("freelist_count");
        long? freeDisk = null;
        try
        {
            freeDisk = new DriveInfo(Path.GetDirectoryName(path)!).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
        }

        var walBytes = FileLength(path + "-wal");
        var wal = WalLimitBytes > 0 && walBytes > WalLimitBytes ? WalCheckpoint.Passive(_writer.Connection) : null;
        var used = (pageCount - freelist) * pageSize;
        var overCap = _options.MaxDatabaseBytes > 0 && used > _options.MaxDatabaseBytes;
        var underFloor = _options.MinFreeDiskBytes > 0 && freeDisk is { } free && free < _options.MinFreeDiskBytes;
        var facts = new StorageFacts
        {
            RefreshedAt = _time.GetUtcNow(),
            Partitions = [.. _writer.Days],
            FileBytes = FileLength(path),
            WalBytes = walBytes,
            WalFrames = wal?.Frames,
            WalFramesCheckpointed = wal?.Checkpointed,
            PageSize = pageSize,
            PageCount = pageCount,
            FreelistPages = freelist,
            AutoVacuum = _writer.Pragma("auto_vacuum") switch { 0 => "none", 1 => "full", 2 => "incremental", _ => "unknown" },
            LegacyPresent = _writer.LegacyPresent,
            LegacyNewest = _writer.LegacyNewest,
            RollupNamesOverflowed = _writer.RollupNamesOverflowed,
            LegacySearchPending = _writer.LegacySearchPending,
            FreeDiskBytes = freeDisk,
            OverSizeCap = overCap,
            UnderFreeDiskFloor = underFloor,
            PressureUnrelieved = (overCap || underFloor) && !_writer.LegacyPresent
                && !_writer.Days.Any(d => d < DayPartition.FromTime(_time.GetUtcNow())),
        };
        Status.Publish(facts);
        return facts;
    }

    private static long FileLength(string path)
    {
        try
        {
            return new FileInfo(path) is { Exists: true } f ? f.Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

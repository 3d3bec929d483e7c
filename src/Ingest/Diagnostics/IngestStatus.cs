using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Tracking;

namespace Ingest.Diagnostics;

/// <summary>
/// Assembles what <c>/healthz</c> and <c>/api/ingest</c> say from cached state only: counters, the flush loop's
/// published state, channel depth and the tracker's sizes. Never opens a SQLite connection.
/// </summary>
public sealed class IngestStatus
{
    // With --clickhouse no SQLite connection may ever open (issue 26), and the SQLite memory figures below need the
    // native library the first connection loads: load it here, or every report (and /healthz) throws.
    static IngestStatus() => SQLitePCL.Batteries_V2.Init();

    private readonly IngestCounters _counters;
    private readonly FlushLoopState _loop;
    private readonly InvocationChannel _channel;
    private readonly TaskTracker _tracker;
    private readonly WorkerRegistry _workers;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly IEnumerable<IHealthContributor> _contributors;
    private readonly StorageStatus _storage;
    private readonly ProbeLatency _probes;
    private readonly HealthOptions _health;
    private readonly OpenReads? _reads;
    private readonly SourcePresence _presence;

    public IngestStatus(
        IngestCounters counters,
        FlushLoopState loop,
        InvocationChannel channel,
        TaskTracker tracker,
        WorkerRegistry workers,
        PipelineOptions options,
        TimeProvider time,
        IEnumerable<IHealthContributor> contributors,
        StorageStatus? storage = null,
        ProbeLatency? probes = null,
        HealthOptions? health = null,
        OpenReads? reads = null,
        SourcePresence? presence = null)
    {
        _presence = presence ?? new SourcePresence(true);
        _health = health ?? new HealthOptions();
        _reads = reads;
        _probes = probes ?? new ProbeLatency();
        _storage = storage ?? new StorageStatus();
        _counters = counters;
        _loop = loop;
        _channel = channel;
        _tracker = tracker;
        _workers = workers;
        _options = options;
        _time = time;
        _contributors = contributors;
    }

    /// <summary>Records waiting: in the channel plus the batch being written.</summary>
    public long Backlog => _channel.Count + _loop.InProgress;

    public HealthStatus Evaluate()
    {
        var lastDrop = _counters.LastDropTimestamp;
        var health = HealthEvaluator.Evaluate(
            _loop.Status,
            _loop.SinceLastSuccess,
            Backlog,
            _loop.ConsecutiveFailures,
            lastDrop == 0 ? null : (_time.GetElapsedTime(lastDrop), _counters.LastDropReason),
            _options.StallThreshold,
            _contributors.SelectMany(c => c.DegradedReasons()).Concat(StorageReasons()),
            _channel.Budget.LastLimitedTimestamp is var limited && limited != 0
                ? (_time.GetElapsedTime(limited), _channel.Budget.LimitBytes) : null);

        // With no source, "ok" says "no tasks ran" of a console that cannot hear any: idle says why it is empty.
        // Worse states keep their word; the reason is added so the cause of the silence stays visible.
        return _presence.Any ? health
            : new HealthStatus(health.IsOk ? HealthStatus.Idle : health.Status, [.. health.Reasons, HealthStatus.NoSourceReason]);
    }

    /// <summary>
    /// Whether this instance can take and serve traffic, for a readiness probe. Only what makes it unable to: the
    /// flush loop dead, the database refusing writes for the whole retry budget, the channel full. Being degraded
    /// (a broker outage, recent drops, the memory budget at its limit) is not: with one pod, an unready pod leaves
    /// its Service, and the UI and the HTTP senders lose it exactly during the incident (issue 12).
    /// </summary>
    public HealthStatus Readiness()
    {
        var reasons = new List<string>();
        if (_loop.Status == FlushLoopStatus.Failed)
        {
            reasons.Add("the flush loop has died");
        }

        if (_loop.ConsecutiveFailures >= _options.MaxWriteAttempts)
        {
            reasons.Add($"the database is not taking writes: {_loop.ConsecutiveFailures} failed commits in a row ({_loop.LastError})");
        }

        // The same bound at which HTTP senders are told to wait: within a tenth of capacity, the next burst drops.
        if (_channel.Count >= _channel.Capacity / 10 * 9 || _channel.Budget.Over)
        {
            reasons.Add($"the channel is full ({_channel.Count} of {_channel.Capacity}): new invocations push out queued ones");
        }

        return reasons.Count == 0 ? new HealthStatus(HealthStatus.Ok, reasons) : new HealthStatus(HealthStatus.Failing, reasons);
    }

    /// <summary>Probe answer times since start: counts per bucket, and the bucket bounds p50 and p99 fall under.</summary>
    private object Probes()
    {
        var counts = _probes.Counts();
        var max = Math.Round(_probes.Max.TotalMilliseconds, 3);
        return new
        {
            answered = counts.Sum(),
            p50_ms_at_most = ProbeLatency.QuantileBoundMs(counts, 0.5, max),
            p99_ms_at_most = ProbeLatency.QuantileBoundMs(counts, 0.99, max),
            max_ms = max,
            bucket_bounds_ms = ProbeLatency.BoundsMs,
            bucket_counts = counts,
        };
    }

    private IEnumerable<string> StorageReasons() => StorageHealth.Reasons(_storage.Facts, _reads?.OldestAge, _reads?.Count ?? 0, _health);

    /// <summary>The full report, and the health it was built from (evaluated once).</summary>
    public (HealthStatus Health, object Body) Report()
    {
        var facts = _storage.Facts;
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var health = Evaluate();
        return (health, new
        {
            status = health.Status,
            reasons = health.Reasons,
            ready = Readiness().IsOk,
            checked_at = _time.GetUtcNow(),
            flush_loop = new
            {
                state = _loop.Status.ToString().ToLowerInvariant(),
                last_success_at = _loop.LastSuccessAt,
                seconds_since_last_success = Math.Round(_loop.SinceLastSuccess.TotalSeconds, 3),
                consecutive_failures = _loop.ConsecutiveFailures,
                last_error = _loop.LastError,
                last_batch_size = _loop.LastBatchSize,
                last_batch_ms = Math.Round(_loop.LastBatchDuration.TotalMilliseconds, 3),
                max_batch_ms = Math.Round(_loop.MaxBatchDuration.TotalMilliseconds, 3),
                last_maintenance_ms = Math.Round(_loop.LastMaintenanceDuration.TotalMilliseconds, 3),
                max_maintenance_ms = Math.Round(_loop.MaxMaintenanceDuration.TotalMilliseconds, 3),
                max_stall_ms = Math.Round(_loop.MaxStall.TotalMilliseconds, 3),
                maintenance_errors = _loop.MaintenanceErrors,
                checkpoints = _loop.Checkpoints,
                checkpoint_rows_written = _loop.CheckpointUpserts,
                checkpoint_rows_deleted = _loop.CheckpointDeletes,
                write_probes = _loop.WriteProbes,
                write_probes_failed = _loop.WriteProbesFailed,
            },
            memory = new
            {
                budget_bytes = _channel.Budget.LimitBytes,
                tracker_limit_bytes = _channel.Budget.TrackerLimitBytes,
                tracker_bytes = _channel.Budget.TrackerBytes,
                channel_bytes = _channel.Budget.ChannelBytes,
                writing_bytes = _channel.Budget.WritingBytes,
                peak_used_bytes = _channel.Budget.PeakUsedBytes,
            },
            backlog = new
            {
                queued = _channel.Count,
                in_progress = _loop.InProgress,
                capacity = _channel.Capacity,
            },
            invocations = new
            {
                received = _counters.InvocationsReceived,
                flushed = _counters.InvocationsFlushed,
                dropped = _counters.DroppedByReason(),
                dropped_at_last_shutdown = _counters.DroppedAtLastShutdown,
                last_write_failure = _counters.LastWriteFailure,
                batches = _counters.Batches,
                write_errors = _counters.WriteErrors,
                details_not_kept = _counters.DetailsNotKeptByReason(),
                detail_sample = new
                {
                    rate_per_minute = _channel.Sampler?.RatePerMinute ?? 0,
                    names = _channel.Sampler?.NameCount ?? 0,
                    max_names = _channel.Sampler?.MaxNames ?? 0,
                    names_dropped = _counters.DetailSampleNamesDropped,
                },
            },
            events = new
            {
                messages = _counters.Messages,
                empty_batches = _counters.EmptyBatches,
                refused_busy = _counters.RefusedBodies,
                accepted = _counters.AcceptedByType(),
                rejected = _counters.RejectedByReason(),
                repaired = _counters.RepairedByKind(),
            },
            tracker = new
            {
                tracked = _tracker.Count,
                in_flight = _tracker.InFlight,
                oldest_in_flight_seen_at = _tracker.OldestInFlightSeen,
                early_writes = _counters.EarlyWritesByReason(),
                restored_from_checkpoint = _tracker.Restored,
            },
            workers = new { known = _workers.Count, evicted = _workers.Evicted },
            process = new
            {
                rss_bytes = Environment.WorkingSet,
                gc_heap_bytes = GC.GetTotalMemory(forceFullCollection: false),
                // What the GC holds from the OS, live objects and free space between them: RSS follows this, not the heap.
                gc_committed_bytes = gc.TotalCommittedBytes,
                gc_fragmented_bytes = gc.FragmentedBytes,
                // What the GC may use: the container's limit, or the machine's memory.
                gc_available_bytes = gc.TotalAvailableMemoryBytes,
                sqlite_memory_bytes = SQLitePCL.raw.sqlite3_memory_used(),
                sqlite_memory_highwater_bytes = SQLitePCL.raw.sqlite3_memory_highwater(0),
                gc_collections = new { gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2) },
                // Every thread, probes included, stands still during a pause.
                gc_pause_total_ms = Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 1),
                gc_last_pause_ms = gc.PauseDurations is { Length: > 0 } p ? Math.Round(p[0].TotalMilliseconds, 3) : 0,
            },
            storage = new
            {
                refreshed_at = facts.RefreshedAt,
                partitions = facts.Partitions.Count,
                oldest_partition = facts.Partitions.Count > 0 ? facts.Partitions[0].Suffix : null,
                newest_partition = facts.Partitions.Count > 0 ? facts.Partitions[^1].Suffix : null,
                legacy_present = facts.LegacyPresent,
                legacy_search_pending = facts.LegacySearchPending,
                rollup_names_overflowed = facts.RollupNamesOverflowed,
                file_bytes = facts.FileBytes,
                wal_bytes = facts.WalBytes,
                wal_frames = facts.WalFrames,
                wal_frames_checkpointed = facts.WalFramesCheckpointed,
                reads = new
                {
                    open = _reads?.Count ?? 0,
                    oldest_s = _reads?.OldestAge is { } age ? Math.Round(age.TotalSeconds, 3) : (double?)null,
                    untracked = _reads?.Untracked ?? 0,
                },
                used_bytes = facts.UsedBytes,
                freelist_bytes = facts.FreelistBytes,
                free_disk_bytes = facts.FreeDiskBytes,
                auto_vacuum = facts.AutoVacuum,
                over_size_cap = facts.OverSizeCap,
                under_free_disk_floor = facts.UnderFreeDiskFloor,
                partitions_dropped = new { retention = _storage.PartitionsDroppedForRetention, disk_pressure = _storage.PartitionsDroppedForPressure },
                last_drop = _storage.LastDrop,
                last_drop_ms = Math.Round(_storage.LastDropDuration.TotalMilliseconds, 3),
                detail_drops = _storage.DetailDrops,
                last_detail_drop = _storage.LastDetailDrop,
                last_detail_drop_ms = Math.Round(_storage.LastDetailDropDuration.TotalMilliseconds, 3),
                details_dropped_through = _storage.DetailsDroppedThrough?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                vacuum = new
                {
                    steps = _storage.VacuumSteps,
                    pages_freed = _storage.VacuumPagesFreed,
                    last_step_pages = _storage.LastVacuumPages,
                    last_step_ms = Math.Round(_storage.LastVacuumDuration.TotalMilliseconds, 3),
                    next_step_pages = _storage.NextVacuumPages,
                },
            },
            sources = _contributors.ToDictionary(c => c.Name, c => c.Describe()),
            probes = Probes(),
        });
    }
}

using Ingest.Web;
using Ingest.Accounting;
using Ingest.Control;
using System.Diagnostics.Metrics;
using Ingest.Pipeline;
using Ingest.Sources.Amqp;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Retention;
using Ingest.Tracking;

namespace Ingest.Diagnostics;

/// <summary>
/// Every instrument Ingest exports, on one meter (<c>Ingest</c>). Counts and states are observable instruments
/// read from <see cref="IngestCounters"/> and the published states at collection time, so the hot path pays
/// nothing beyond the interlocked add it already does; only durations are recorded as they happen. Names are
/// dotted with units (OpenTelemetry conventions); the Prometheus exporter turns <c>ingest.flush.duration</c> (s)
/// into <c>ingest_flush_duration_seconds</c>.
/// </summary>
public sealed class IngestMetrics : IFlushObserver
{
    public const string MeterName = "Ingest";

    private readonly Histogram<double> _flushDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _maintenanceDuration;
    private readonly Histogram<double> _probeDuration;
    private readonly ProbeLatency _probes;

    public IngestMetrics(
        IMeterFactory meterFactory,
        IngestCounters counters,
        InvocationChannel channel,
        FlushLoopState loop,
        TaskTracker tracker,
        StorageStatus storage,
        ProbeLatency probes,
        IServiceProvider services)
    {
        _probes = probes;
        var meter = meterFactory.Create(MeterName);
        _flushDuration = meter.CreateHistogram("ingest.flush.duration", "s", "Time to commit one batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _batchSize = meter.CreateHistogram("ingest.flush.batch_size", "{invocation}", "Invocations per committed batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 100, 500, 1000, 2000, 5000, 10000] });
        _maintenanceDuration = meter.CreateHistogram("ingest.maintenance.duration", "s", "Time of one maintenance step between batches.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _probeDuration = meter.CreateHistogram("ingest.probe.duration", "s", "Time Ingest took to answer one /healthz probe, first middleware to end of handler.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [.. ProbeLatency.BoundsMs.Select(ms => ms / 1000)] });

        meter.CreateObservableCounter("ingest.events", () => Events(counters), "{event}", "Events received, by type and outcome (accepted, or rejected with error.type).");
        meter.CreateObservableCounter("ingest.events.repaired", () => Repaired(counters), "{event}",
            "Event fields repaired on the way in, by kind (timestamp_out_of_range, redacted, control_characters, ...).");
        meter.CreateObservableCounter("ingest.messages", () => counters.Messages, "{message}", "Message bodies received from every source.");
        meter.CreateObservableCounter("ingest.invocations.received", () => counters.InvocationsReceived, "{invocation}", "Invocations handed to the channel.");
        meter.CreateObservableCounter("ingest.invocations.flushed", () => counters.InvocationsFlushed, "{invocation}", "Invocations committed to SQLite.");
        meter.CreateObservableCounter("ingest.invocations.dropped", () => Dropped(counters), "{invocation}", "Invocations lost by policy, by reason.");
        meter.CreateObservableCounter("ingest.invocations.early_writes", () => EarlyWrites(counters), "{invocation}", "Tasks written before they finished, by reason.");
        meter.CreateObservableCounter("ingest.invocations.details_not_kept", () => new Measurement<long>(counters.DetailsSampled, new KeyValuePair<string, object?>("reason", "sampled")),
            "{invocation}", "Runs stored without their args, kwargs, result and traceback, by reason (sampled: --detail-sample).");
        meter.CreateObservableCounter("ingest.details.compression", () => DetailCompression(services), "{event}",
            "Per-day zstd dictionaries of the details (SQLite), by outcome: trained, training_failed, evicted (past the memory cap, the day stays raw), unreadable (stored values a read could not decompress), read_cache_evicted (let go by the readers' 4 MiB cache, read again when needed).");
        meter.CreateObservableCounter("ingest.decoder.names.evicted", () => services.GetService(typeof(Decoding.CeleryEventDecoder)) is Decoding.CeleryEventDecoder decoder ? decoder.NameCacheEvictions : 0,
            "{name}", "Task names, hosts and queues the decoder's 4,096-name cache let go for newer ones (those cost a string per event).");
        meter.CreateObservableCounter("ingest.detail_sample.names_dropped", () => counters.DetailSampleNamesDropped, "{name}",
            "Task names the detail sample stopped measuring at its cap, oldest first.");
        meter.CreateObservableUpDownCounter("ingest.channel.depth", () => (long)channel.Count + loop.InProgress, "{invocation}", "Invocations waiting to be written.");
        meter.CreateObservableUpDownCounter("ingest.tracker.in_flight", () => (long)tracker.InFlight, "{task}", "Tasks tracked that have not finished.");
        meter.CreateObservableGauge("ingest.flush.stall.max", () => loop.MaxStall.TotalSeconds, "s", "Longest time between two commits while invocations waited, since start.");
        meter.CreateObservableUpDownCounter("ingest.storage.partitions", () => (long)storage.Facts.Partitions.Count, "{partition}", "Day partitions present.");
        meter.CreateObservableUpDownCounter("ingest.storage.size", () => storage.Facts.FileBytes + storage.Facts.WalBytes, "By", "Database file plus WAL.");
        meter.CreateObservableUpDownCounter("ingest.storage.freelist.size", () => storage.Facts.FreelistBytes, "By", "Free pages in the file, not yet returned by vacuum.");
        meter.CreateObservableCounter("ingest.storage.partitions.dropped", () => new Measurement<long>[]
        {
            new(storage.PartitionsDroppedForRetention, new KeyValuePair<string, object?>("reason", "retention")),
            new(storage.PartitionsDroppedForPressure, new KeyValuePair<string, object?>("reason", "disk_pressure")),
        }, "{partition}", "Whole days dropped.");
        meter.CreateObservableGauge("ingest.broker.connected", () => services.GetService(typeof(AmqpSource)) is AmqpSource amqp ? (amqp.IsConnected ? 1 : 0)
            : services.GetService(typeof(Sources.Redis.RedisSource)) is Sources.Redis.RedisSource redis ? (redis.IsSubscribed ? 1 : 0) : -1,
            "1", "1 when the broker source (AMQP, or Redis subscribed) is up, 0 when not, -1 when no broker is configured.");
        meter.CreateObservableCounter("ingest.broker.reconnects", () => services.GetService(typeof(AmqpSource)) is AmqpSource amqp ? amqp.Reconnects
            : services.GetService(typeof(Sources.Redis.RedisSource)) is Sources.Redis.RedisSource redis ? redis.Disconnects : 0,
            "{reconnect}", "Broker connections lost and recovered.");
        meter.CreateObservableCounter("ingest.auth.refused", () => services.GetService(typeof(Security.AuthSettings)) is Security.AuthSettings auth ? auth.Throttle.Refused : 0,
            "{attempt}", "Password checks refused because the address failed too many sign-ins in the window.");
        meter.CreateObservableCounter("ingest.broker.unsubscribed", () => services.GetService(typeof(Sources.Redis.RedisSource)) is Sources.Redis.RedisSource redis ? redis.Unsubscribed.TotalSeconds : 0,
            "s", "Time without a Redis subscription since start: events published then were not seen (PUB/SUB keeps no backlog).");
        meter.CreateObservableCounter("ingest.reads.rejected", () => services.GetService(typeof(ReadAdmission)) is ReadAdmission reads ? reads.Refusals() : [],
            "{request}", "Reads answered 503: the read queue full or waited out (queue_full, queue_timeout), or a query past its time limit (time_limit).");
        // Replies a command's collector let go (over its count or byte cap, or unreadable): the
        // answers an operator did not see, so a fleet larger than the caps shows here, not only in a short reply list.
        meter.CreateObservableCounter("ingest.control.replies.dropped", () => services.GetService(typeof(IFleetControl)) is PidboxFleetControl fleet ? fleet.DroppedReplies : 0,
            "{reply}", "Worker replies to control commands dropped over the reply caps or unreadable, since start.");
        AddAlertSeries(meter, counters, loop, storage, services);
    }

    public void RecordFlush(TimeSpan duration, int size)
    {
        if (_flushDuration.Enabled)
        {
            _flushDuration.Record(duration.TotalSeconds);
        }

        if (_batchSize.Enabled)
        {
            _batchSize.Record(size);
        }
    }

    public void RecordMaintenance(TimeSpan duration)
    {
        if (_maintenanceDuration.Enabled)
        {
            _maintenanceDuration.Record(duration.TotalSeconds);
        }
    }

    public void RecordProbe(TimeSpan duration)
    {
        _probes.Record(duration);
        if (_probeDuration.Enabled)
        {
            _probeDuration.Record(duration.TotalSeconds);
        }
    }

    /// <summary>
    /// What deploy/prometheus/ingest-rules.yml alerts on that /healthz and /api/ingest told and no series did
    /// (issue 28): the health verdict, the current stall, failed commits, the checkpoint's progress and the
    /// storage's headroom under its cap and floor. A fixed handful of series, none labelled by data.
    /// </summary>
    private static void AddAlertSeries(Meter meter, IngestCounters counters, FlushLoopState loop, StorageStatus storage, IServiceProvider services)
    {
        // Resolved at scrape time, as the sources above: IngestStatus pulls in every health contributor (the sources).
        meter.CreateObservableGauge("ingest.health.status", () => Health(services), description: "1 for the status /healthz answers (ok, idle, degraded or failing), 0 for the others.");
        meter.CreateObservableGauge("ingest.ready", () => services.GetService(typeof(IngestStatus)) is IngestStatus s && s.Readiness().IsOk ? 1 : 0,
            description: "1 while /healthz/ready answers ready.");
        // The stall /healthz judges by: no commit for this long while invocations wait (0 when none waits).
        meter.CreateObservableGauge("ingest.flush.stall", () => services.GetService(typeof(IngestStatus)) is IngestStatus s && s.Backlog > 0 ? loop.SinceLastSuccess.TotalSeconds : 0,
            "s", "Time without a commit while invocations wait to be written; 0 when nothing waits.");
        meter.CreateObservableGauge("ingest.flush.consecutive_failures", () => loop.ConsecutiveFailures, "{commit}", "Commits that failed in a row (each is retried); 0 after a success.");
        meter.CreateObservableCounter("ingest.flush.write_errors", () => counters.WriteErrors, "{commit}", "Failed commits of batches and checkpoints since start (each is retried).");
        meter.CreateObservableCounter("ingest.checkpoints", () => loop.Checkpoints, "{checkpoint}", "In-flight checkpoints committed since start.");
        meter.CreateObservableGauge("ingest.checkpoint.interval", () => services.GetService(typeof(PipelineOptions)) is PipelineOptions p ? p.CheckpointInterval.TotalSeconds : 0,
            "s", "Configured time between in-flight checkpoints; 0 when they are off.");
        meter.CreateObservableUpDownCounter("ingest.storage.used", () => storage.Facts.UsedBytes, "By", "Bytes in use in the database (free pages excluded): what the size cap counts.");
        meter.CreateObservableUpDownCounter("ingest.storage.disk_free", () => storage.Facts.FreeDiskBytes is { } free ? new[] { new Measurement<long>(free) } : [],
            "By", "Free space on the database's volume, as last measured.");
        meter.CreateObservableUpDownCounter("ingest.storage.size_cap", () => Retention(services)?.MaxDatabaseBytes ?? 0, "By", "--max-db-bytes: over it the oldest days are dropped; 0 when there is no cap.");
        meter.CreateObservableUpDownCounter("ingest.storage.disk_free_floor", () => Retention(services)?.MinFreeDiskBytes ?? 0, "By", "--min-free-disk-bytes: under it the oldest days are dropped; 0 when off.");
        meter.CreateObservableGauge("ingest.storage.pressure", () => new Measurement<int>[]
        {
            new(storage.Facts.OverSizeCap ? 1 : 0, new KeyValuePair<string, object?>("condition", "over_size_cap")),
            new(storage.Facts.UnderFreeDiskFloor ? 1 : 0, new KeyValuePair<string, object?>("condition", "under_free_disk_floor")),
            new(storage.Facts.PressureUnrelieved ? 1 : 0, new KeyValuePair<string, object?>("condition", "unrelieved")),
        }, description: "1 while the condition holds: over the size cap, under the free-disk floor, or either with no day left to drop.");
    }

    private static RetentionOptions? Retention(IServiceProvider services) =>
        services.GetService(typeof(RetentionOptions)) as RetentionOptions;

    private static IEnumerable<Measurement<int>> Health(IServiceProvider services)
    {
        if (services.GetService(typeof(IngestStatus)) is not IngestStatus status)
        {
            yield break;
        }

        var now = status.Evaluate().Status;
        foreach (var s in (string[])[HealthStatus.Ok, HealthStatus.Idle, HealthStatus.Degraded, HealthStatus.Failing])
        {
            yield return new(s == now ? 1 : 0, new KeyValuePair<string, object?>("status", s));
        }
    }

    private static IEnumerable<Measurement<long>> Events(IngestCounters c)
    {
        for (var i = 0; i < CeleryEventTypes.Count; i++)
        {
            var type = (CeleryEventType)i;
            yield return new(c.Accepted(type), new("type", type.WireName()), new("outcome", "accepted"));
        }

        for (var i = 0; i < DecodeReasonNames.RejectCount; i++)
        {
            var reason = (RejectReason)i;
            yield return new(c.Rejected(reason), new("outcome", "rejected"), new("error.type", reason.Name()));
        }
    }

    private static IEnumerable<Measurement<long>> Repaired(IngestCounters c)
    {
        for (var i = 0; i < DecodeReasonNames.RepairCount; i++)
        {
            var repair = (Repair)i;
            yield return new(c.Repaired(repair), new KeyValuePair<string, object?>("kind", repair.Name()));
        }
    }

    private static IEnumerable<Measurement<long>> Dropped(IngestCounters c)
    {
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            yield return new(c.Dropped(reason), new KeyValuePair<string, object?>("reason", reason.Name()));
        }
    }

    private static IEnumerable<Measurement<long>> EarlyWrites(IngestCounters c)
    {
        foreach (var reason in Enum.GetValues<EarlyWriteReason>())
        {
            yield return new(c.EarlyWrites(reason), new KeyValuePair<string, object?>("reason", reason.Name()));
        }
    }

    /// <summary>
    /// The details' dictionaries, by outcome (issue 29). Unreadable stored values are counted whenever a SQLite reader
    /// exists: days written with compression stay compressed after --no-compress-details turns it off. The training outcomes
    /// only while it is on.
    /// </summary>
    private static Measurement<long>[] DetailCompression(IServiceProvider services)
    {
        var reader = services.GetService(typeof(Storage.Reading.InvocationReader)) as Storage.Reading.InvocationReader;
        var compression = services.GetService(typeof(Storage.Details.DetailCompression)) as Storage.Details.DetailCompression;
        var unreadable = reader is null ? [] : new Measurement<long>[]
        {
            new(reader.DetailDecodeFailures, new KeyValuePair<string, object?>("outcome", "unreadable")),
            new(reader.DetailDictionariesEvicted, new KeyValuePair<string, object?>("outcome", "read_cache_evicted")),
        };
        return compression is null ? unreadable :
        [
            new(compression.Trained, new KeyValuePair<string, object?>("outcome", "trained")),
            new(compression.TrainingFailures, new KeyValuePair<string, object?>("outcome", "training_failed")),
            new(compression.Evicted, new KeyValuePair<string, object?>("outcome", "evicted")),
            .. unreadable,
        ];
    }
}

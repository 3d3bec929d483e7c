using Ingest.Web;
using Ingest.Accounting;
using Ingest.Sources;
using Ingest.Decoding;
using Ingest.Diagnostics;
using Ingest.Pipeline;
using Ingest.Sources.Amqp;
using Ingest.Insights;
using Ingest.Storage;
using Ingest.Storage.Rollups;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>Composition of the ingest pipeline: one place, used by <c>serve</c>, <c>replay</c> and the tests.</summary>
public static class IngestServiceCollectionExtensions
{
    public const string Section = "Ingest";

    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[AnchoredTimeProvider.SettingKey] is { Length: > 0 } clockStart)
        {
            // Refused at startup, before any write, rather than dating a file's rows by a misread instant.
            if (!AnchoredTimeProvider.TryParse(clockStart, out var anchored, out var error))
            {
                throw new OptionsValidationException(AnchoredTimeProvider.SettingKey, typeof(TimeProvider), [error!]);
            }

            services.TryAddSingleton<TimeProvider>(anchored!);
        }

        services.TryAddSingleton(TimeProvider.System);

        services.AddOptionsWithValidateOnStart<StorageOptions>().Bind(configuration.GetSection($"{Section}:Storage"));
        services.AddOptionsWithValidateOnStart<DecoderOptions>().Bind(configuration.GetSection($"{Section}:Decoder"))
            .PostConfigure<IOptions<RetentionOptions>>((decoder, retention) => decoder.RetentionDays = retention.Value.DropDays ? retention.Value.Days : 0);
        services.AddOptionsWithValidateOnStart<TrackerOptions>().Bind(configuration.GetSection($"{Section}:Tracker"));
        services.AddOptionsWithValidateOnStart<WorkerOptions>().Bind(configuration.GetSection($"{Section}:Workers"));
        services.AddOptionsWithValidateOnStart<PipelineOptions>().Bind(configuration.GetSection($"{Section}:Pipeline"));
        services.AddOptionsWithValidateOnStart<RetentionOptions>().Bind(configuration.GetSection($"{Section}:Retention"));
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<IValidateOptions<DecoderOptions>, DecoderOptionsValidator>();
        services.AddSingleton<IValidateOptions<TrackerOptions>, TrackerOptionsValidator>();
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsRangeValidator>();
        services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsRules>();

        // The hot path gets plain validated values, captured once.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DecoderOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TrackerOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WorkerOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PipelineOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RetentionOptions>>().Value);
        services.AddOptionsWithValidateOnStart<HealthOptions>().Bind(configuration.GetSection($"{Section}:Health"));
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<HealthOptions>>().Value);
        services.AddSingleton<StorageStatus>();
        // The reads of this process, so /healthz can name one that holds the WAL too long (issue 24).
        services.AddSingleton<OpenReads>();

        services.AddSingleton<IngestCounters>();
        services.AddSingleton<ProbeLatency>();
        services.AddSingleton<FlushLoopState>();
        services.AddSingleton(sp => new MemoryBudget(sp.GetRequiredService<PipelineOptions>().MaxMemoryBytes, sp.GetRequiredService<TimeProvider>()));
        // The details' per-day zstd dictionaries (issue 29): the channel compresses with them, the SQLite writer stores
        // them. On unless --no-compress-details: the peak RSS it once raised (records' strings dying in gen2 faster
        // behind a faster writer, details-zstd-rss.md) went when long values began to wait compact (CompactText).
        if (configuration.GetValue($"{Section}:Storage:CompressDetails", new StorageOptions().CompressDetails))
        {
            services.AddSingleton(_ => new Storage.Details.DetailCompression());
        }
        services.AddSingleton<InvocationChannel>();
        services.AddSingleton<IngestAdmission>();
        services.AddSingleton<IInvocationSink>(sp => sp.GetRequiredService<InvocationChannel>());
        services.AddSingleton<TaskTracker>();
        // The flush loop sees the tracker through Pipeline's interface (issue 23's layering); unregistered, no host starts.
        services.AddSingleton<IInFlightTasks>(sp => sp.GetRequiredService<TaskTracker>());
        // Worker states go to the day's worker table through the flush loop and come back at start (issue 25).
        services.AddSingleton<Storage.Workers.WorkerStateBuffer>();
        services.AddSingleton<WorkerRegistry>();
        services.AddSingleton<CeleryEventDecoder>();
        services.AddObjectives(configuration);
        services.AddSingleton<EventIngestor>();
        // Reads: each bounded in time (a statement past the limit is interrupted), heavy ones admitted a few at a time.
        services.AddOptionsWithValidateOnStart<ReadOptions>().Bind(configuration.GetSection($"{Section}:Reads"));
        services.AddSingleton<IValidateOptions<ReadOptions>, ReadOptionsValidator>();
        services.AddSingleton(sp => new ReadTimeLimit(sp.GetRequiredService<IOptions<ReadOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<OpenReads>()));
        services.AddOptionsWithValidateOnStart<ReadAdmissionOptions>().Bind(configuration.GetSection($"{Section}:Reads"));
        services.AddSingleton<IValidateOptions<ReadAdmissionOptions>, ReadAdmissionOptionsValidator>();
        services.AddSingleton(sp => new ReadAdmission(sp.GetRequiredService<IOptions<ReadAdmissionOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InvocationReader>();
        services.AddOptionsWithValidateOnStart<RegressionOptions>().Bind(configuration.GetSection($"{Section}:Regression"));
        services.AddSingleton<IValidateOptions<RegressionOptions>, RegressionOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RegressionOptions>>().Value);
        services.AddSingleton<RollupReader>();
        services.AddOptionsWithValidateOnStart<RunningOptions>().Bind(configuration.GetSection($"{Section}:Running"));
        services.AddSingleton<IValidateOptions<RunningOptions>, RunningOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RunningOptions>>().Value);
        services.AddSingleton<StuckBaselines>();
        services.AddSingleton<RollupRankReader>();
        services.AddSingleton<TaskInsights>();
        services.AddSingleton(sp => new Streaming.StreamHub());
        services.AddSingleton<IngestStatus>();
        // Read once: a source cannot be added without a restart. HTTP ingest is a setting of the auth section.
        services.AddSingleton(new SourcePresence(
            !string.IsNullOrWhiteSpace(configuration[$"{Section}:Redis:Url"])
            || !string.IsNullOrWhiteSpace(configuration[$"{Section}:Amqp:Url"])
            || configuration.GetValue<bool>($"{Section}:Auth:HttpIngest")));
        services.AddSingleton<IngestMetrics>();
        // The flush loop reports through Pipeline's interface (issue 23's layering); unregistered, it measured nothing.
        services.AddSingleton<IFlushObserver>(sp => sp.GetRequiredService<IngestMetrics>());
        services.AddSingleton<CeleryMetrics>();
        // One compiled grouping pattern for the API, the same the writer groups its rollups by.
        services.AddSingleton(sp => new WorkerGroups(sp.GetRequiredService<StorageOptions>().WorkerGroupPattern));
        // ClickHouse, when configured, takes the writer and the invocation reads (issue 26); these stay SQLite's otherwise.
        services.AddInvocationStore(configuration);
        services.TryAddSingleton<Func<IBatchWriter>>(sp =>
        {
            var storage = sp.GetRequiredService<StorageOptions>();
            var retention = sp.GetRequiredService<RetentionOptions>();
            var status = sp.GetRequiredService<StorageStatus>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ingest.Storage");
            var walLimit = sp.GetRequiredService<HealthOptions>().MaxWalBytes;
            var compression = sp.GetService<Storage.Details.DetailCompression>();
            return () => new SqliteBatchWriter(storage, retention, status, time, logger, walLimit, compression);
        });

        services.AddOptionsWithValidateOnStart<Sources.Queues.QueueSamplingOptions>().Bind(configuration.GetSection($"{Section}:QueueSampling"));
        services.AddSingleton<IValidateOptions<Sources.Queues.QueueSamplingOptions>, QueueSamplingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<Sources.Queues.QueueSamplingOptions>>().Value);
        services.AddSingleton<QueueSampleBuffer>();
        services.AddSingleton<Sources.Queues.QueueLengths>();

        // The control audit trail (issue 27): filled by the Flower API, written by the flush loop, read by /api/audit.
        services.AddSingleton<Storage.Audit.AuditBuffer>();
        services.AddSingleton(sp => new Storage.Audit.AuditReader(sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<ReadTimeLimit>()));
        services.AddSingleton<Endpoints.Flower.ControlAudit>();

        services.AddSingleton<DurableWatermark>();
        services.AddSingleton<FlushLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<FlushLoop>());
        services.AddHostedService<TrackerSweeper>();

        // Registered after the flush loop, so it stops first: no deliveries arrive while the loop drains.
        services.AddOptionsWithValidateOnStart<AmqpOptions>().Bind(configuration.GetSection($"{Section}:Amqp"));
        services.AddSingleton<IValidateOptions<AmqpOptions>, AmqpOptionsValidator>();
        services.AddSingleton<IValidateOptions<AmqpOptions>, AmqpOptionsRules>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AmqpOptions>>().Value);
        services.AddOptionsWithValidateOnStart<Sources.Redis.RedisOptions>().Bind(configuration.GetSection($"{Section}:Redis"));
        services.AddSingleton<IValidateOptions<Sources.Redis.RedisOptions>, RedisOptionsRules>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<Sources.Redis.RedisOptions>>().Value);
        if (!string.IsNullOrWhiteSpace(configuration[$"{Section}:Redis:Url"]))
        {
            services.AddSingleton<Sources.Redis.RedisSource>();
            services.AddSingleton<IHealthContributor>(sp => sp.GetRequiredService<Sources.Redis.RedisSource>());
            services.AddHostedService(sp => sp.GetRequiredService<Sources.Redis.RedisSource>());
            services.AddSingleton<Sources.Queues.IQueueLengthProbe>(sp => sp.GetRequiredService<Sources.Redis.RedisSource>());
        }

        if (!string.IsNullOrWhiteSpace(configuration[$"{Section}:Amqp:Url"]))
        {
            services.AddSingleton<AmqpSource>();
            services.AddSingleton<IHealthContributor>(sp => sp.GetRequiredService<AmqpSource>());
            services.AddHostedService(sp => sp.GetRequiredService<AmqpSource>());
            services.AddSingleton<Sources.Queues.IQueueLengthProbe>(sp => sp.GetRequiredService<AmqpSource>());
        }

        services.AddFleetControl(configuration);

        // Last: it stops first, and asks the brokers nothing once they are stopping.
        services.AddHostedService<Sources.Queues.QueueSampler>();

        return services;
    }
}

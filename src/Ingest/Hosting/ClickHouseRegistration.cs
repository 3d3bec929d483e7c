using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Audit;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Storage.Rollups;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>
/// The store the flush loop writes to and the API's invocation and rollup reads come from: ClickHouse when
/// <c>Ingest:ClickHouse:Url</c> is set (issue 26), else SQLite.
/// </summary>
internal static class ClickHouseRegistration
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Ingest:ClickHouse";

    /// <summary>Registers the ClickHouse store when configured, and the invocation and rollup read seams either way.</summary>
    public static void AddInvocationStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<ClickHouseOptions>().Bind(configuration.GetSection(Section));
        services.AddSingleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsValidator>();
        if (string.IsNullOrWhiteSpace(configuration[$"{Section}:Url"]))
        {
            services.TryAddSingleton<IInvocationStore>(sp => sp.GetRequiredService<InvocationReader>());
            services.TryAddSingleton<IRollupStore>(sp => sp.GetRequiredService<RollupReader>());
            services.TryAddSingleton<IRollupRanks>(sp => sp.GetRequiredService<RollupRankReader>());
            services.TryAddSingleton<IAuditStore>(sp => sp.GetRequiredService<AuditReader>());
            return;
        }

        // Several instances may share the store: each checkpoint carries its unfinished tasks as invocations too.
        services.PostConfigure<Tracking.TrackerOptions>(o => o.CheckpointRecords = true);
        // One client for the API's reads; the flush loop opens its own with each writer it opens.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            return new ClickHouseClient(options.Endpoint(), options.Timeout);
        });
        services.TryAddSingleton<IInvocationStore>(sp => new ClickHouseInvocationReader(sp.GetRequiredService<ClickHouseClient>()));
        // The console's figures: SQLite's rollups stay empty under ClickHouse, so every figure reads ClickHouse's.
        services.TryAddSingleton<IRollupStore>(sp => new ClickHouseRollupReader(sp.GetRequiredService<ClickHouseClient>()));
        services.TryAddSingleton<IRollupRanks>(sp => new ClickHouseRollupRanks(sp.GetRequiredService<ClickHouseClient>()));
        services.TryAddSingleton<IAuditStore>(sp => new ClickHouseAuditStore(sp.GetRequiredService<ClickHouseClient>()));
        services.TryAddSingleton<Func<IBatchWriter>>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            var instance = options.InstanceName(sp.GetRequiredService<StorageOptions>().DatabasePath);
            var retention = sp.GetRequiredService<RetentionOptions>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ingest.Storage");
            var groups = sp.GetRequiredService<WorkerGroups>();
            return () => new ClickHouseBatchWriter(
                new ClickHouseStoreWriter(new ClickHouseClient(options.Endpoint(), options.Timeout), instance, time, groups), retention, time, logger);
        });
    }
}

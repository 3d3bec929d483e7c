using Ingest.Control;
using Ingest.Sources.Amqp;
using Ingest.Sources.Redis;
using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>
/// Celery's remote control (issue 27) in the container: the command catalog, one <see cref="IFleetControl"/> and the
/// <see cref="ITaskPublisher"/> that sends tasks through the same broker connection.
/// </summary>
internal static class ControlRegistration
{
    /// <summary>
    /// Registers <see cref="ControlOptions"/>, <see cref="ControlCommands"/> and the control for the broker Ingest
    /// consumes from: RabbitMQ when <c>--amqp</c> is set (Celery has one broker; with both set, the AMQP one), else
    /// Redis, else ones that refuse every command and task with the reason. The publisher shares the control's
    /// connection (one connection kind per broker, disposed once, with the control).
    /// </summary>
    public static IServiceCollection AddFleetControl(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<ControlOptions>().Bind(configuration.GetSection(ControlOptions.Section));
        services.AddSingleton<IValidateOptions<ControlOptions>, ControlOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ControlOptions>>().Value);
        services.AddSingleton<ControlCommands>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{IngestServiceCollectionExtensions.Section}:Amqp:Url"]))
        {
            services.AddSingleton(sp => new AmqpFleetControl(sp.GetRequiredService<AmqpOptions>(), sp.GetRequiredService<ControlOptions>(),
                sp.GetRequiredService<WorkerRegistry>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AmqpFleetControl>>()));
            services.AddSingleton<IFleetControl>(sp => sp.GetRequiredService<AmqpFleetControl>());
            services.AddSingleton<ITaskPublisher>(sp => new AmqpTaskPublisher(sp.GetRequiredService<AmqpFleetControl>(), sp.GetRequiredService<TimeProvider>()));
        }
        else if (!string.IsNullOrWhiteSpace(configuration[$"{IngestServiceCollectionExtensions.Section}:Redis:Url"]))
        {
            services.AddSingleton(sp => new RedisFleetControl(sp.GetRequiredService<RedisOptions>(), sp.GetRequiredService<ControlOptions>(),
                sp.GetRequiredService<WorkerRegistry>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisFleetControl>>()));
            services.AddSingleton<IFleetControl>(sp => sp.GetRequiredService<RedisFleetControl>());
            services.AddSingleton<ITaskPublisher>(sp => new RedisTaskPublisher(sp.GetRequiredService<RedisFleetControl>(),
                sp.GetRequiredService<RedisOptions>().GlobalKeyPrefix, sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddSingleton<IFleetControl, UnavailableFleetControl>();
            services.AddSingleton<ITaskPublisher, UnavailableTaskPublisher>();
        }

        return services;
    }
}

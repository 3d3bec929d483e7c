using Ingest.Control;
using Ingest.Sources.Amqp;
using Ingest.Sources.Redis;
using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>Celery's remote control (issue 27) in the container: the command catalog and one <see cref="IFleetControl"/>.</summary>
internal static class ControlRegistration
{
    /// <summary>
    /// Registers <see cref="ControlOptions"/>, <see cref="ControlCommands"/> and the control for the broker Ingest
    /// consumes from: RabbitMQ when <c>--amqp</c> is set (Celery has one broker; with both set, the AMQP one), else
    /// Redis, else one that refuses every command with the reason.
    /// </summary>
    public static IServiceCollection AddFleetControl(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<ControlOptions>().Bind(configuration.GetSection(ControlOptions.Section));
        services.AddSingleton<IValidateOptions<ControlOptions>, ControlOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ControlOptions>>().Value);
        services.AddSingleton<ControlCommands>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{IngestServiceCollectionExtensions.Section}:Amqp:Url"]))
        {
            services.AddSingleton<IFleetControl>(sp => new AmqpFleetControl(sp.GetRequiredService<AmqpOptions>(), sp.GetRequiredService<ControlOptions>(),
                sp.GetRequiredService<WorkerRegistry>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AmqpFleetControl>>()));
        }
        else if (!string.IsNullOrWhiteSpace(configuration[$"{IngestServiceCollectionExtensions.Section}:Redis:Url"]))
        {
            services.AddSingleton<IFleetControl>(sp => new RedisFleetControl(sp.GetRequiredService<RedisOptions>(), sp.GetRequiredService<ControlOptions>(),
                sp.GetRequiredService<WorkerRegistry>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisFleetControl>>()));
        }
        else
        {
            services.AddSingleton<IFleetControl, UnavailableFleetControl>();
        }

        return services;
    }
}

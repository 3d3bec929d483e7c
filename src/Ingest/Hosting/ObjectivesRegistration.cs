using System.Diagnostics.Metrics;
using Ingest.Insights.Objectives;
using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>
/// <c>--objectives FILE</c>: read and checked once at start (a bad file is one line and exit 2, before anything is
/// written), then the objectives, their SLI counters and their budgets as services. Without the setting, none.
/// </summary>
internal static class ObjectivesRegistration
{
    public const string SettingKey = "Ingest:Objectives:File";

    public static IServiceCollection AddObjectives(this IServiceCollection services, IConfiguration configuration)
    {
        var objectives = ObjectiveSet.Empty;
        if (configuration[SettingKey] is { Length: > 0 } path)
        {
            try
            {
                objectives = ObjectiveSet.Load(path);
            }
            catch (ObjectivesFileException e)
            {
                throw new OptionsValidationException(SettingKey, typeof(ObjectiveSet), [$"{SettingKey} (--objectives): {e.Message}"]);
            }
        }

        services.AddSingleton(objectives);
        services.AddSingleton(sp => new ObjectiveMetrics(sp.GetRequiredService<IMeterFactory>(), objectives.Slis()));
        services.AddSingleton<ObjectiveInsights>();
        return services;
    }
}

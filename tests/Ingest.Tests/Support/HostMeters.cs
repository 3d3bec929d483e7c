using System.Diagnostics.Metrics;
using Ingest.Diagnostics;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Ingest.Tests.Support;

/// <summary>
/// Gives each test host its own meter names (<c>Ingest.h7</c>, <c>Celery.h7</c>) and points that host's
/// Prometheus exporter at them. OpenTelemetry's listener matches meters by name across the whole process, not by
/// the <see cref="IMeterFactory"/> that made them: with one shared name, a host started by a test running beside
/// another fed its own values into that host's /metrics (last callback wins for an untagged counter), and when it
/// was disposed the series could vanish from the other's scrape. Production has one host per process and keeps the
/// plain names; the exported series names come from the instruments, so the scrape reads the same.
/// </summary>
internal static class HostMeters
{
    private static int _hosts;

    public static void Isolate(IServiceCollection services)
    {
        var tag = "h" + Interlocked.Increment(ref _hosts);
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IMeterFactory))
            ?? throw new InvalidOperationException("the host registers no IMeterFactory");
        services.RemoveAll<IMeterFactory>();
        services.AddSingleton<IMeterFactory>(sp => new Renaming(Create(sp, inner), tag));
        services.ConfigureOpenTelemetryMeterProvider(b => b.AddMeter($"{IngestMetrics.MeterName}.{tag}", $"{CeleryMetrics.MeterName}.{tag}"));
    }

    private static IMeterFactory Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance as IMeterFactory
        ?? descriptor.ImplementationFactory?.Invoke(services) as IMeterFactory
        ?? (IMeterFactory)ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);

    private sealed class Renaming(IMeterFactory inner, string tag) : IMeterFactory
    {
        public Meter Create(MeterOptions options) => inner.Create(new MeterOptions($"{options.Name}.{tag}")
        {
            Version = options.Version,
            Tags = options.Tags,
            TelemetrySchemaUrl = options.TelemetrySchemaUrl,
        });

        public void Dispose() => inner.Dispose();
    }
}

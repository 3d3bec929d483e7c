using Ingest.Pipeline;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ingest.Tests.Support;

/// <summary>
/// The real host on a temp database, with optional test doubles for the clock and the writer. Its clock is by
/// default <see cref="Fixtures.Clock"/>: the data tests post is capture-era, and on the wall clock retention would
/// drop it within seconds once the capture is a week old. A fake clock does not move, so batches are written as
/// soon as they are taken (no batch wait). A test that needs time to flow (a broker's reconnects) uses
/// <see cref="WallClock"/>, which keeps the data by retention instead.
/// </summary>
public sealed class IngestFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory? _ownedDir;
    private readonly Dictionary<string, string?> _settings = new();

    public IngestFactory(string? databasePath = null)
    {
        if (databasePath is null)
        {
            _ownedDir = new TempDirectory();
            databasePath = _ownedDir.File("ingest.db");
        }

        DatabasePath = databasePath;
        _settings["Ingest:Storage:DatabasePath"] = databasePath;
        // Most tests are about the pipeline, not access control: open, with HTTP ingest on. AuthTests turn it on.
        _settings["Ingest:Auth:Disabled"] = "true";
        _settings["Ingest:Auth:HttpIngest"] = "true";
    }

    public string DatabasePath { get; }

    public TimeProvider? Time { get; init; }

    /// <summary>
    /// The system clock, with retention wide enough to keep the capture's day for ten years: only for events that a
    /// real Celery worker stamps with the machine's clock. Everything else that needs time to pass takes
    /// <see cref="MovingClock"/>.
    /// </summary>
    public IngestFactory WallClock()
    {
        _clock = TimeProvider.System;
        return With("Ingest:Retention:Days", "3650");
    }

    /// <summary>A clock that runs at the wall clock's rate from just after the capture's end (<see cref="TestClock"/>).</summary>
    public IngestFactory MovingClock()
    {
        _clock = TestClock.Moving;
        return this;
    }

    private TimeProvider? _clock;

    internal GatedWriter? Gate { get; init; }

    /// <summary>More test services (a storage hook, a fault).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public IngestFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var time = _clock ?? Time ?? Fixtures.Clock();
        if (time is Microsoft.Extensions.Time.Testing.FakeTimeProvider && !_settings.ContainsKey("Ingest:Pipeline:MaxBatchWait"))
        {
            builder.UseSetting("Ingest:Pipeline:MaxBatchWait", "00:00:00");
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(time);
            HostMeters.Isolate(services);

            TestServices?.Invoke(services);
            if (Gate is not null)
            {
                services.AddSingleton<Func<IBatchWriter>>(_ => () => Gate);
            }
        });
    }

    /// <summary>Builds the host behind <see cref="HostGate"/>: the entry point runs here, and no other host may be built meanwhile.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        HostGate.Gate.Wait();
        try
        {
            return base.CreateHost(builder);
        }
        finally
        {
            HostGate.Gate.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownedDir?.Dispose();
        }
    }
}

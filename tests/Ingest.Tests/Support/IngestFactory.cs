using Ingest.Pipeline;
using Ingest.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Support;

/// <summary>The real host on a temp database, with optional test doubles for the clock and the writer.</summary>
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
        _settings["Ingest:Pipeline:MaxBatchWait"] = "00:00:00.020";
    }

    public string DatabasePath { get; }

    public TimeProvider? Time { get; init; }

    internal GatedWriter? Gate { get; init; }

    public IngestFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton(Time);
            }

            if (Gate is not null)
            {
                services.AddSingleton<Func<IBatchWriter>>(_ => () => Gate);
            }
        });
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

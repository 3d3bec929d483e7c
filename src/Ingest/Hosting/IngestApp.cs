using Ingest.Tracking;
using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using Ingest.Diagnostics;
using Ingest.Endpoints;
using Ingest.Endpoints.Flower;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Ingest.Sources.Http;
using Ingest.Security;
using Ingest.Web;

namespace Ingest.Hosting;

/// <summary>Builds the web host: configuration, services, endpoints. <c>Program</c> and the CLI stay short.</summary>
public static class IngestApp
{
    /// <summary>Host argument that turns off the configuration watcher (user arguments after it still win).</summary>
    internal const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <param name="hostArgs">Arguments for the host's own configuration (<c>--Ingest:Pipeline:BatchSize=5000</c>, <c>--environment=...</c>).</param>
    /// <param name="settings">Settings from the CLI's named options; they win over files and environment.</param>
    public static WebApplication Build(string[] hostArgs, IReadOnlyDictionary<string, string?> settings)
    {
        // Reads are synchronous SQLite calls on request threads. A pool that starts at the core count (2 here) and
        // adds a thread every ~0.5 s would queue probes behind a few slow reads; start it wider.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);

        // Configuration is read at start only: a reload-on-change watcher on the content root also watched the
        // database and WAL under it, and the flush paid an inotify event per page write.
        var builder = WebApplication.CreateBuilder([NoConfigReload, .. hostArgs]);
        // ASP.NET Core's own request lines (starting, endpoint, status, finished: 4-5 a request at Information) stay
        // under Warning by default (issue 25): a default, first among the sources, so Logging__LogLevel__... still wins.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")],
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddIngestAuth(builder.Configuration);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });
        builder.Services.Configure<HostOptions>(o =>
        {
            // The flush loop's drain budget (20 s by default) must fit inside this.
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            // A dead flush loop is reported by /healthz as failing; it does not take the probe endpoints down with it.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });

        // OpenTelemetry's Prometheus exporter reads the System.Diagnostics.Metrics instruments natively and
        // applies the OpenTelemetry-to-Prometheus naming rules (units as suffixes, _total on counters).
        // celery_* series keep celery-exporter's names, so scope labels (otel_scope_*) and target_info stay out of
        // the scrape: the celery-mixin dashboards match on exact label sets. service_name names the process.
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ingest", serviceVersion: typeof(IngestApp).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddMeter(IngestMetrics.MeterName, CeleryMetrics.MeterName)
                .AddView(CeleryMetrics.StreamConfiguration)
                .AddPrometheusExporter(o => { o.ScopeInfoEnabled = false; o.TargetInfoEnabled = false; }));

        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Ingest";
            document.Info.Description = "Every Celery task invocation, queryable. Times are ISO 8601 UTC; since and until also take Unix seconds "
                + "or a time before now (-15m, -6h, -7d). Every 4xx carries {\"error\": reason}. An unknown query parameter is refused with 400.";
            return Task.CompletedTask;
        }));
        var app = builder.Build();
        // Every setting is checked before anything below writes (the generated admin password and users file, the
        // key ring): a refused start leaves nothing behind (issue 23: --retention-days -3 wrote both, then refused).
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        // First: the scheme a TLS-terminating proxy saw is the one every check after this compares with.
        app.UseForwardedHeaders(TrustedProxies.Options(app.Configuration[TrustedProxies.SettingKey]));
        app.Use(async (context, next) =>
        {
            // Every response: no sniffing a JSON body into HTML, no framing (clickjacking), scripts and styles from
            // this origin only (the UI has no inline script), no referrer carrying a task id to another site.
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
            headers["Referrer-Policy"] = "same-origin"; // not no-referrer: with it browsers send "Origin: null" on the sign-in form
            await next(context);
        });
        // Built eagerly so that its observable instruments exist before the first scrape.
        var metrics = app.Services.GetRequiredService<IngestMetrics>();
        app.Services.GetRequiredService<CeleryMetrics>(); // its instruments exist from the first scrape
        app.Services.GetRequiredService<ObjectiveMetrics>(); // so do the objectives' SLI series, at zero
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/healthz"))
            {
                await next(context);
                return;
            }

            var started = time.GetTimestamp();
            await next(context);
            metrics.RecordProbe(time.GetElapsedTime(started));
        });
        // Every 4xx and 5xx under /api carries a JSON body with the reason, including those no handler wrote
        // (an unknown route, a wrong method, a parameter that does not bind).
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                var code = http.Response.StatusCode;
                var reason = code == StatusCodes.Status404NotFound ? $"no such endpoint: {http.Request.Method} {http.Request.Path}"
                    : Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code);
                await http.Response.WriteAsJsonAsync(new ErrorView(reason));
            }
        });
        app.UseIngestAuth();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(AuthSettings.ReadPolicy);
        // The API's description, generated from the endpoints: /openapi/v1.json (behind the read credential like the API).
        app.MapOpenApi().RequireAuthorization(AuthSettings.ReadPolicy);
        var ui = new EmbeddedFileProvider(typeof(IngestApp).Assembly, "Ui");
        // The stylesheet carries no task data and the sign-in page needs it before anyone has signed in.
        app.MapGet("/app.css", () => Results.Stream(ui.GetFileInfo("app.css").CreateReadStream(), "text/css; charset=utf-8")).AllowAnonymous();
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = ui });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = ui,
            // Revalidate each load, so an upgraded binary's UI is the one users see.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapEventsApi(app.Services.GetRequiredService<AuthOptions>().HttpIngest).RequireAuthorization(AuthSettings.IngestPolicy);
        app.MapInvocationsApi();
        app.MapInsightsApi();
        app.MapObjectivesApi();
        app.MapStreamApi();
        app.MapWorkersApi();
        app.MapQueuesApi();
        app.MapAuditApi();
        app.MapFlowerControlApi();
        app.MapFlowerReadApi();
        // Who the UI is signed in as, whether sign-in is on at all (the sign-out button is hidden when it is off),
        // whether the user may act on workers, and the anti-forgery token its control posts send (issue 27).
        app.MapGet("/api/me", MeView.ForAsync).Takes();
        app.MapHealthApi();
        app.MapFallback("/api/{**path}", (HttpContext http) =>
            Results.Json(new ErrorView($"no such endpoint: {http.Request.Method} {http.Request.Path}"), statusCode: StatusCodes.Status404NotFound));
        return app;
    }
}

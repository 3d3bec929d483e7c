using System.Text.Json;
using Ingest.Sources.Queues;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>
/// Ingest on a real port holding two runs, a worker and a queue sample whose every sender-controlled field (task
/// name and id, args, kwargs, result, exception, traceback, worker hostname and version, queue, broker) carries
/// markup and script, posted over HTTP as a sender would; and Debian's chromium, through Playwright, to look at it.
/// </summary>
public sealed class HostileConsole : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>An element with a handler, a script, quotes that would close an attribute, a template literal, a URL scheme.</summary>
    public const string Hostile = "<img src=x onerror=window.__pwned=1>\"><script>window.__pwned=1</script>' onmouseover='window.__pwned=1' `${window.__pwned=1}` javascript:window.__pwned=1";

    public const string Name = "shop.tasks." + Hostile;

    /// <summary>A name with no "/" (which the stats endpoint cannot take, see the tests), so its task page draws its charts.</summary>
    public const string SlashlessName = "shop.tasks.<svg onload=window.__pwned=1>\"' onmouseover='window.__pwned=1' `${window.__pwned=1}`";
    public const string Host = "w1@" + Hostile;
    public const string QueueName = "q" + Hostile;
    public const string Broker = "amqp " + Hostile;
    public const string Args = "('" + Hostile + "',)";
    public const string Kwargs = "{'note': '" + Hostile + "'}";
    public const string ExceptionText = "ValueError('" + Hostile + "')";
    public const string Traceback = "Traceback (most recent call last):\n  File \"" + Hostile + "\", line 1\n" + ExceptionText;
    public const string Result = "'" + Hostile + "'";

    /// <summary>A task id is any text up to 255 characters: this one would be a script URL if a link began with it.</summary>
    public const string FailedId = "javascript:window.__pwned=1";

    public const string SucceededId = "3b0c1a52-7d8e-4f4a-9c1e-0d2f6a7b8c9d";

    public const string SlashlessId = "5d6e7f80-9a1b-4c2d-8e3f-405162738495";

    private readonly TempDirectory _dir = new();
    private readonly IngestFactory _factory;
    private HttpClient _sender = null!;
    private IPlaywright _playwright = null!;

    public HostileConsole()
    {
        _factory = new IngestFactory(_dir.File("hostile.db"));
        // A port chosen here: with port 0 the factory's base address kept ":0" on some starts.
        _factory.UseKestrel(IngestProcess.FreePort());
    }

    public IngestFactory Factory => _factory;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The server's base URL, without a trailing slash.</summary>
    public string Root => _factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');

    /// <summary>The capture's end: the server's clock stands five minutes after it.</summary>
    public static double Now => Fixtures.CaptureEnd.ToUnixTimeMilliseconds() / 1000.0;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/test, which installs Debian's chromium package");
        _factory.StartServer();
        _sender = _factory.CreateClient();
        await PostAsync([.. Run(FailedId, Now - 120, failed: true), .. Run(SucceededId, Now - 60, failed: false), .. Run(SlashlessId, Now - 90, failed: true, SlashlessName),
            new() { ["type"] = "worker-heartbeat", ["hostname"] = Host, ["timestamp"] = Now, ["freq"] = 2.0, ["sw_ident"] = "py-celery",
                ["sw_ver"] = Hostile, ["sw_sys"] = "Linux", ["active"] = 1, ["processed"] = 2, ["loadavg"] = new[] { 0.1, 0.2, 0.3 } }]);

        var buffer = _factory.Services.GetRequiredService<Ingest.Pipeline.QueueSampleBuffer>();
        var written = buffer.Written;
        _factory.Services.GetRequiredService<QueueLengths>().Record(Broker, [new(QueueName, 3, 1)]);
        await Wait.UntilAsync(() => buffer.Written > written, "the queue sample to be stored");

        // Issue 27: a refused control call whose every field is hostile, for the Audit page.
        _factory.Services.GetRequiredService<Ingest.Storage.Audit.AuditBuffer>().Add(new(Now - 30, Hostile, "task.revoke", FailedId,
            System.Text.Json.JsonSerializer.Serialize(new { signal = Hostile }), "failed", 403, Hostile,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { [Host] = new { error = Hostile } }), System.Text.Json.JsonSerializer.Serialize(new[] { QueueName })));
        await Wait.UntilAsync(() => _sender.GetStringAsync("/api/audit").GetAwaiter().GetResult().Contains("task.revoke", StringComparison.Ordinal), "the audit entry to be stored");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        _sender.Dispose();
        await _factory.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>One run's events: sent to the hostile queue, run by the hostile worker, failed or succeeded with hostile details.</summary>
    public static IEnumerable<Dictionary<string, object?>> Run(string id, double at, bool failed, string name = Name)
    {
        yield return new() { ["type"] = "task-sent", ["uuid"] = id, ["name"] = name, ["hostname"] = "client@" + Hostile, ["timestamp"] = at, ["args"] = Args, ["kwargs"] = Kwargs, ["queue"] = QueueName };
        yield return new() { ["type"] = "task-received", ["uuid"] = id, ["name"] = name, ["hostname"] = Host, ["timestamp"] = at + 1, ["args"] = Args, ["kwargs"] = Kwargs };
        yield return new() { ["type"] = "task-started", ["uuid"] = id, ["hostname"] = Host, ["timestamp"] = at + 2 };
        yield return failed
            ? new() { ["type"] = "task-failed", ["uuid"] = id, ["hostname"] = Host, ["timestamp"] = at + 3, ["exception"] = ExceptionText, ["traceback"] = Traceback }
            : new() { ["type"] = "task-succeeded", ["uuid"] = id, ["hostname"] = Host, ["timestamp"] = at + 3, ["result"] = Result, ["runtime"] = 1.0 };
    }

    /// <summary>Posts events as a sender would, returning once they are stored.</summary>
    public async Task PostAsync(IEnumerable<Dictionary<string, object?>> events)
    {
        using var posted = await _sender.PostAsync("/api/events?wait=durable", Fixtures.Json(JsonSerializer.SerializeToUtf8Bytes(events)));
        posted.EnsureSuccessStatusCode();
    }

    /// <summary>A new page opened at hash, once the router has rendered it; errors collects console errors, uncaught exceptions and failed requests.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string hash)
    {
        var page = await Browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            // A failed request is said again below, with its URL.
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                errors.Add($"{r.Status} {r.Url}");
            }
        };
        await page.GotoAsync($"{Root}/{hash}");
        await page.WaitForFunctionAsync("w => document.getElementById('view').dataset.loaded === w", hash.TrimStart('#'));
        return (page, errors);
    }
}

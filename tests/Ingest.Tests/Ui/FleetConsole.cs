using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Control;
using Ingest.Tests.Security;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Ingest.Tests.Ui.HostileConsole;

namespace Ingest.Tests.Ui;

/// <summary>
/// Issue 27's console controls in Debian's chromium, against the real routes: Ingest on a real port with access
/// control on, a controller (<see cref="Controller"/>, in <c>--control-users</c>) and a reader signed in through the
/// sign-in form (a real cookie session, so the UI's own code sends the anti-forgery token), the Flower API under
/// <c>/flower</c> over a <see cref="FakeFleetControl"/>, and a <see cref="FakeTaskPublisher"/> for send-task. The data:
/// two running tasks (one with a hostile name on a hostile worker) and two finished ones (args whole, and args cut by
/// saferepr).
/// </summary>
public sealed class FleetConsole : IAsyncLifetime
{
    public const string RunningId = "7a1b2c3d-0001-4e5f-8a9b-000000000027";
    public const string HostileRunningId = "7a1b2c3d-0002-4e5f-8a9b-000000000027";
    public const string RerunId = "7a1b2c3d-0003-4e5f-8a9b-000000000027";
    public const string CutId = "7a1b2c3d-0004-4e5f-8a9b-000000000027";
    public const string ManyA = "7a1b2c3d-0005-4e5f-8a9b-000000000027";
    public const string ManyB = "7a1b2c3d-0006-4e5f-8a9b-000000000027";
    public const string AuditedId = "7a1b2c3d-0007-4e5f-8a9b-000000000027";
    public const string TaskName = "shop.tasks.import";
    public const string ManyTask = "shop.tasks.export";
    public const string Worker = "celery@w1";
    public const string DownWorker = "celery@w2";
    public const string Controller = "boss";
    public const string Reader = "sre";
    public const string Password = "correct horse";

    // The bearer token the test's sender posts events with (--http-ingest needs one once access control is on).
    private const string IngestToken = "fleet-console-ingest-token-27";

    private readonly AuthTestServer _server = new();
    private readonly IngestFactory _factory;
    private HttpClient _sender = null!;
    private HeadlessChromium _chromium = null!;

    public FleetConsole()
    {
        Fleet = FakeFleetControl.With([Worker, Host], [DownWorker]);
        // Inspections answer with what the live workers say (Flower's /api/workers?refresh=1 runs them); every other
        // command with "COMMAND done" from the workers that answer.
        var live = LiveWorkers();
        Fleet.Reply = (r, w) => live[w] is not JsonObject worker ? null
            : FlowerInspections.Contains(r.Command) ? JsonSerializer.SerializeToElement(worker[r.Command] ?? new JsonArray())
            : JsonSerializer.SerializeToElement(new { ok = $"{r.Command} done" });
        var users = _server.UsersFile(Reader, Password);
        _server.UsersFile(Controller, Password);
        var token = _server.Dir.File("ingest-token");
        File.WriteAllText(token, IngestToken);
        _factory = new IngestFactory(_server.Dir.File("fleet.db"))
        {
            TestServices = s =>
            {
                s.AddSingleton<IFleetControl>(Fleet);
                s.AddSingleton<ITaskPublisher>(Publisher);
            },
        };
        _factory.With("Ingest:Auth:Disabled", "false").With("Ingest:Auth:UsersFile", users).With("Ingest:Auth:ControlUsers", Controller)
            .With("Ingest:Auth:HttpIngest", "true").With("Ingest:Auth:IngestTokenFile", token);
        _factory.UseKestrel(IngestProcess.FreePort());
        // A revoke with terminate ends the run as a worker would: it sends task-revoked.
        Fleet.OnSend = async r =>
        {
            if (r.Command == "revoke" && r.Arguments["task_id"] is string id)
            {
                await PostAsync([new() { ["type"] = "task-revoked", ["uuid"] = id, ["hostname"] = Worker, ["timestamp"] = Now, ["terminated"] = r.Arguments["terminate"], ["signum"] = 15, ["expired"] = false }]);
            }
        };
    }

    public FakeFleetControl Fleet { get; }

    /// <summary>The tasks sent again (send-task), as the broker got them.</summary>
    public FakeTaskPublisher Publisher { get; } = new();

    /// <summary>Every call the pages made under /flower (seen, not answered, by the test): method, path and query, and body.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Body)> FlowerCalls { get; } = new();

    private static readonly string[] FlowerInspections = ["stats", "active_queues", "registered", "conf", "active", "reserved", "scheduled", "revoked"];

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.StartAsync();
        _factory.StartServer();
        _sender = _factory.CreateClient();
        _sender.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestToken);
        // The workers as Ingest knows them from their events: the control routes act only on workers it knows.
        await PostAsync([.. new[] { Worker, Host, DownWorker }.Select(w => new Dictionary<string, object?> { ["type"] = "worker-online", ["hostname"] = w, ["timestamp"] = Now - 60, ["freq"] = 2.0 })]);
        await PostAsync([.. Running(RunningId, TaskName, Worker, "(1,)", "{}"), .. Running(HostileRunningId, Name, Host, Args, Kwargs),
            .. Running(ManyA, ManyTask, Worker, "()", "{}"), .. Running(ManyB, ManyTask, Worker, "()", "{}"),
            .. Running(AuditedId, TaskName, Worker, "(7,)", "{}"),
            .. Finished(RerunId, "(42, 'eu')", "{'dry_run': False}"), .. Finished(CutId, "('The quick brown fox...', ...)", "{}")]);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _sender.Dispose();
        await _factory.DisposeAsync();
        _server.Dispose();
    }

    private static IEnumerable<Dictionary<string, object?>> Running(string id, string name, string worker, string args, string kwargs)
    {
        yield return new() { ["type"] = "task-sent", ["uuid"] = id, ["name"] = name, ["hostname"] = "client@a", ["timestamp"] = Now - 30, ["args"] = args, ["kwargs"] = kwargs, ["queue"] = "imports" };
        yield return new() { ["type"] = "task-received", ["uuid"] = id, ["name"] = name, ["hostname"] = worker, ["timestamp"] = Now - 29, ["args"] = args, ["kwargs"] = kwargs };
        yield return new() { ["type"] = "task-started", ["uuid"] = id, ["hostname"] = worker, ["timestamp"] = Now - 28 };
    }

    private static IEnumerable<Dictionary<string, object?>> Finished(string id, string args, string kwargs) =>
        Running(id, TaskName, Worker, args, kwargs).Append(new() { ["type"] = "task-succeeded", ["uuid"] = id, ["hostname"] = Worker, ["timestamp"] = Now - 20, ["result"] = "None", ["runtime"] = 8.0 });

    public async Task PostAsync(IEnumerable<Dictionary<string, object?>> events)
    {
        using var posted = await _sender.PostAsync("/api/events?wait=durable", Fixtures.Json(JsonSerializer.SerializeToUtf8Bytes(events)));
        posted.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A page at hash in a new browser, signed in through the sign-in form as the controller (or the reader), once
    /// rendered; errors collects script errors.
    /// </summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string hash, bool controller)
    {
        var context = await _chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(m.Text);
            }
        };
        page.Request += (_, r) =>
        {
            var url = new Uri(r.Url);
            if (url.AbsolutePath.StartsWith("/flower/", StringComparison.Ordinal))
            {
                FlowerCalls.Enqueue((r.Method, url.PathAndQuery, r.PostData));
            }
        };

        await page.GotoAsync($"{Root}/signin");
        await page.FillAsync("input[name=username]", controller ? Controller : Reader);
        await page.FillAsync("input[name=password]", Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await page.GotoAsync($"{Root}/{hash}");
        try
        {
            await page.WaitForFunctionAsync("w => document.getElementById('view').dataset.loaded === w", hash.TrimStart('#'));
        }
        catch (TimeoutException e)
        {
            // What the page showed instead, so a page that never loads says why.
            var shown = await page.EvaluateAsync<string>("() => document.body.innerText.slice(0, 800)");
            throw new TimeoutException($"{hash} never loaded at {page.Url}; errors: {string.Join(" | ", errors)}; page: {shown}", e);
        }

        return (page, errors);
    }

    public string Root => _factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');

    /// <summary>What a live inspection of the two answering workers says (Flower's /api/workers?refresh=1).</summary>
    public static JsonObject LiveWorkers() => new()
    {
        [Worker] = new JsonObject
        {
            ["stats"] = new JsonObject { ["pool"] = new JsonObject { ["max-concurrency"] = 4, ["processes"] = new JsonArray(11, 12, 13, 14) } },
            ["active_queues"] = new JsonArray(new JsonObject { ["name"] = "imports" }),
            ["registered"] = new JsonArray($"{TaskName} [rate_limit=10/m time_limit=60]", "shop.tasks.other"),
            ["conf"] = new JsonObject { ["task_soft_time_limit"] = 30 },
        },
        [Host] = new JsonObject
        {
            ["stats"] = new JsonObject { ["pool"] = new JsonObject { ["max-concurrency"] = 2, ["processes"] = new JsonArray(21, 22) } },
            ["active_queues"] = new JsonArray(new JsonObject { ["name"] = QueueName }),
            ["registered"] = new JsonArray(TaskName, Name),
            ["conf"] = new JsonObject(),
        },
    };
}

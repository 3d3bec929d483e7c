using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Ingest.Control;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Ingest.Tests.Ui.HostileConsole;

namespace Ingest.Tests.Ui;

/// <summary>
/// Issue 27's console controls in Debian's chromium: Ingest on a real port with a <see cref="FakeFleetControl"/>, two
/// running tasks (one with a hostile name on a hostile worker) and two finished ones (args whole, and args cut by
/// saferepr). The Flower API and /api/me's <c>can_control</c> and <c>antiforgery_token</c> are built by another part of
/// issue 27 at the same time: until they are in the host, this page answers them with Playwright routes that speak
/// Flower's shapes and send each command through the same fake (<see cref="FlowerRouteAsync"/>).
/// </summary>
public sealed class FleetConsole : IAsyncLifetime
{
    public const string RunningId = "7a1b2c3d-0001-4e5f-8a9b-000000000027";
    public const string HostileRunningId = "7a1b2c3d-0002-4e5f-8a9b-000000000027";
    public const string RerunId = "7a1b2c3d-0003-4e5f-8a9b-000000000027";
    public const string CutId = "7a1b2c3d-0004-4e5f-8a9b-000000000027";
    public const string ManyA = "7a1b2c3d-0005-4e5f-8a9b-000000000027";
    public const string ManyB = "7a1b2c3d-0006-4e5f-8a9b-000000000027";
    public const string TaskName = "shop.tasks.import";
    public const string ManyTask = "shop.tasks.export";
    public const string Worker = "celery@w1";
    public const string DownWorker = "celery@w2";
    public const string Token = "anti-forgery-27";

    private readonly TempDirectory _dir = new();
    private readonly IngestFactory _factory;
    private HttpClient _sender = null!;
    private HeadlessChromium _chromium = null!;

    public FleetConsole()
    {
        Fleet = FakeFleetControl.With([Worker, Host], [DownWorker]);
        _factory = new IngestFactory(_dir.File("fleet.db")) { TestServices = s => s.AddSingleton<IFleetControl>(Fleet) };
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

    /// <summary>Every call the page made under /flower: method, path and query, and body.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Body)> FlowerCalls { get; } = new();

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.StartAsync();
        _factory.StartServer();
        _sender = _factory.CreateClient();
        await PostAsync([.. Running(RunningId, TaskName, Worker, "(1,)", "{}"), .. Running(HostileRunningId, Name, Host, Args, Kwargs),
            .. Running(ManyA, ManyTask, Worker, "()", "{}"), .. Running(ManyB, ManyTask, Worker, "()", "{}"),
            .. Finished(RerunId, "(42, 'eu')", "{'dry_run': False}"), .. Finished(CutId, "('The quick brown fox...', ...)", "{}")]);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _sender.Dispose();
        await _factory.DisposeAsync();
        _dir.Dispose();
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
    /// A page at hash as a controller (or a reader), once rendered; errors collects script errors. withInFlight adds the
    /// running tasks to a list of runs, as the in-flight part of this release will (the stored list has finished runs).
    /// </summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string hash, bool controller, bool withInFlight = false)
    {
        var page = await _chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(m.Text);
            }
        };
        await page.RouteAsync("**/api/me", async route =>
        {
            var me = JsonNode.Parse(await (await route.FetchAsync()).TextAsync())!.AsObject();
            me["can_control"] = controller;
            me["antiforgery_token"] = Token;
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = me.ToJsonString() });
        });
        await page.RouteAsync("**/flower/api/**", FlowerRouteAsync);
        if (withInFlight)
        {
            await page.RouteAsync("**/api/invocations?**", async route =>
            {
                var list = JsonNode.Parse(await (await route.FetchAsync()).TextAsync())!.AsObject();
                var running = JsonNode.Parse(await _sender.GetStringAsync("/api/in-flight"))!["items"]!.AsArray();
                var name = HttpUtility.ParseQueryString(new Uri(route.Request.Url).Query)["name"];
                foreach (var run in running.Where(r => (string?)r!["name"] == name))
                {
                    list["items"]!.AsArray().Add(run!.DeepClone());
                }

                await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = list.ToJsonString() });
            });
        }

        await page.GotoAsync($"{Root}/{hash}");
        await page.WaitForFunctionAsync("w => document.getElementById('view').dataset.loaded === w", hash.TrimStart('#'));
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

    // Flower's routes as the other part of issue 27 serves them: a control POST needs the session's anti-forgery
    // token, becomes one command through the fleet, and answers {message, replies, missing}.
    private async Task FlowerRouteAsync(IRoute route)
    {
        var request = route.Request;
        var url = new Uri(request.Url);
        FlowerCalls.Enqueue((request.Method, url.PathAndQuery, request.PostData));
        if (request.Method == "GET" && url.AbsolutePath == "/flower/api/workers")
        {
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = LiveWorkers().ToJsonString() });
            return;
        }

        if (request.Method != "POST" || !request.Headers.TryGetValue("x-ingest-antiforgery", out var token) || token != Token)
        {
            await route.FulfillAsync(new() { Status = 403, ContentType = "application/json", Body = """{"error":"no anti-forgery token"}""" });
            return;
        }

        var path = url.AbsolutePath["/flower/api/".Length..];
        var target = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        var form = HttpUtility.ParseQueryString(url.Query);
        if (request.Headers.GetValueOrDefault("content-type", "").StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal))
        {
            form.Add(HttpUtility.ParseQueryString(request.PostData ?? ""));
        }

        if (path.StartsWith("task/send-task/", StringComparison.Ordinal))
        {
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = """{"task-id":"5e6f7a8b-0000-4000-8000-000000000027","state":"PENDING"}""" });
            return;
        }

        var command = path[..path.LastIndexOf('/')] switch
        {
            "task/revoke" => "revoke",
            "task/rate-limit" => "rate_limit",
            "task/timeout" => "time_limit",
            "worker/pool/grow" => "pool_grow",
            "worker/pool/shrink" => "pool_shrink",
            "worker/pool/autoscale" => "autoscale",
            "worker/pool/restart" => "pool_restart",
            "worker/queue/add-consumer" => "add_consumer",
            "worker/queue/cancel-consumer" => "cancel_consumer",
            var other => throw new InvalidOperationException($"no such Flower route: {other}"),
        };
        var arguments = form.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => (object?)form[k]);
        arguments[command == "revoke" ? "task_id" : command is "rate_limit" or "time_limit" ? "task_name" : "worker"] = target;
        if (command == "revoke")
        {
            arguments["terminate"] = form["terminate"] == "true";
        }

        var destination = command == "revoke" ? null : (IReadOnlyList<string>)[form["workername"] ?? target];
        var result = await Fleet.SendAsync(new ControlRequest(command, arguments, destination, TimeSpan.FromSeconds(1)), CancellationToken.None);
        var replies = new JsonObject();
        foreach (var reply in result.Replies)
        {
            replies[reply.Worker] = JsonNode.Parse(reply.Body.GetRawText());
        }

        var body = new JsonObject { ["message"] = $"{command} sent for '{target}'", ["replies"] = replies, ["missing"] = new JsonArray([.. result.Missing.Select(m => (JsonNode?)m)]) };
        await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = body.ToJsonString() });
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Ingest.Tests.Ui.FleetConsole;
using static Ingest.Tests.Ui.HostileConsole;

namespace Ingest.Tests.Ui;

/// <summary>
/// Issue 27 in the console: a controller acts on the fleet where they look (an invocation, the runs list, a task, the
/// workers), each action confirmed in words and answered with the workers' replies; a reader sees no control; names
/// from the wire in a confirm dialog are text. Every call goes through the real routes (/api/me, /flower/api/...,
/// the runs list with its in-flight runs) with a signed-in cookie session, to the fake fleet (see <see cref="FleetConsole"/>).
/// </summary>
public sealed class FleetControlBrowserTests(FleetConsole ui) : IClassFixture<FleetConsole>
{
    private static readonly string[] ControlSelectors = ["#revoke", "#rerun", ".fleet-bar", "#task-limits", "#pool-controls", "input.pick"];

    [Fact]
    public async Task Controller_RevokesARunningTaskFromItsPage_SeesTheRepliesAndItIsRevoked_Issue27()
    {
        var (page, errors) = await ui.OpenAsync($"#/invocation/{RunningId}", controller: true);

        await page.ClickAsync("#revoke");
        var question = await page.TextContentAsync("#fleet-dialog .question");
        Assert.Contains($"Revoke 1 run of {TaskName} (task id {RunningId} on {Worker})?", question, StringComparison.Ordinal);
        await page.CheckAsync("#fleet-dialog input[name=terminate]");
        await page.ClickAsync("#fleet-dialog button[type=submit]");
        await page.WaitForSelectorAsync("#fleet-outcome");

        Assert.Equal("revoke done", await page.TextContentAsync($"#fleet-outcome tr[data-worker='{Worker}'] td:nth-child(2)"));
        Assert.Contains($"Did not answer: {DownWorker}", await page.TextContentAsync("#fleet-outcome .missing"), StringComparison.Ordinal);
        var sent = Assert.Single(ui.Fleet.Sent, r => r.Command == "revoke" && (string?)r.Arguments["task_id"] == RunningId);
        Assert.Equal(true, sent.Arguments["terminate"]);
        Assert.Equal("SIGTERM", sent.Arguments["signal"]);

        await page.ClickAsync("#fleet-dialog button.close");
        await page.WaitForSelectorAsync("#view h1 .badge.state-REVOKED");
        Assert.Equal(0, await page.Locator("#revoke").CountAsync());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Reader_SeesNoControlOnAnyPage_WhereAControllerDoes_Issue27()
    {
        string[] pages = [$"#/invocation/{HostileRunningId}", $"#/invocation/{RerunId}", $"#/task/{TaskName}?range=7d", "#/workers"];
        var calls = ui.FlowerCalls.Count;
        foreach (var hash in pages)
        {
            var (reader, errors) = await ui.OpenAsync(hash, controller: false);
            foreach (var selector in ControlSelectors)
            {
                Assert.Equal(0, await reader.Locator(selector).CountAsync());
            }

            Assert.Empty(errors);
        }

        // Nothing was asked of the workers on a reader's behalf.
        Assert.Equal(calls, ui.FlowerCalls.Count);

        // The same pages show a controller their controls: the reader's absence is the role's doing.
        var (controller, _) = await ui.OpenAsync(pages[0], controller: true);
        Assert.Equal(1, await controller.Locator("#revoke").CountAsync());
        (controller, _) = await ui.OpenAsync(pages[3], controller: true);
        await controller.WaitForSelectorAsync("#pool-controls .worker-live");
    }

    [Fact]
    public async Task HostileNames_InConfirmDialogs_AreShownAsText_Issue27()
    {
        var (page, errors) = await ui.OpenAsync($"#/invocation/{Uri.EscapeDataString(HostileRunningId)}", controller: true);
        await page.ClickAsync("#revoke");
        var question = await page.TextContentAsync("#fleet-dialog .question");
        Assert.Contains(Name, question, StringComparison.Ordinal);
        Assert.Contains(Host, question, StringComparison.Ordinal);
        await AssertNothingInjectedAsync(page, errors);
        await page.ClickAsync("#fleet-dialog button.cancel");

        (page, errors) = await ui.OpenAsync("#/workers", controller: true);
        var card = page.Locator(".worker-live").Filter(new() { HasText = Host });
        await card.Locator("button[data-act=grow]").ClickAsync();
        Assert.Contains($"Grow the pool of {Host} by 1 (it has 2 processes)?", await page.TextContentAsync("#fleet-dialog .question"), StringComparison.Ordinal);
        await page.ClickAsync("#fleet-dialog button.cancel");
        await card.Locator("button.cancel-consumer").ClickAsync();
        Assert.Contains($"Stop {Host} consuming from queue {QueueName}?", await page.TextContentAsync("#fleet-dialog .question"), StringComparison.Ordinal);
        await AssertNothingInjectedAsync(page, errors);
    }

    [Fact]
    public async Task RunsList_RevokesTheChosenRuns_ConfirmingTheCountAndTaskInWords_Issue27()
    {
        var (page, errors) = await ui.OpenAsync($"#/runs?range=7d&name={ManyTask}", controller: true);

        await page.ClickAsync("#pick-all");
        await page.ClickAsync("#revoke-picked");
        Assert.Contains($"Revoke 2 runs of {ManyTask}?", await page.TextContentAsync("#fleet-dialog .question"), StringComparison.Ordinal);
        await page.CheckAsync("#fleet-dialog input[name=terminate]");
        await page.SelectOptionAsync("#fleet-dialog select[name=signal]", "SIGKILL");
        await page.ClickAsync("#fleet-dialog button[type=submit]");
        await page.WaitForSelectorAsync("#fleet-outcome");

        Assert.Equal(2, await page.Locator("#fleet-outcome .outcome").CountAsync());
        Assert.Equal(2, await page.Locator($"#fleet-outcome tr[data-worker='{Worker}']").CountAsync());
        var revokes = ui.Fleet.Sent.Where(r => r.Command == "revoke" && r.Arguments["task_id"] is ManyA or ManyB).ToList();
        Assert.Equal([ManyA, ManyB], revokes.Select(r => (string)r.Arguments["task_id"]!).Order());
        Assert.All(revokes, r => Assert.Equal("SIGKILL", r.Arguments["signal"]));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task RunAgain_WithWholeArgs_SendsTheSameNameArgsKwargsAndQueue_AndCutArgsSayWhyNot_Issue27()
    {
        var (page, errors) = await ui.OpenAsync($"#/invocation/{RerunId}", controller: true);
        await page.ClickAsync("#rerun");
        Assert.Contains($"Send {TaskName} again to queue imports", await page.TextContentAsync("#fleet-dialog .question"), StringComparison.Ordinal);
        await page.ClickAsync("#fleet-dialog button[type=submit]");
        await page.WaitForSelectorAsync("#rerun-sent a");

        var (_, path, body) = Assert.Single(ui.FlowerCalls, c => c.Path.StartsWith("/flower/api/task/send-task/", StringComparison.Ordinal));
        Assert.Equal($"/flower/api/task/send-task/{TaskName}", path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"args":[42,"eu"],"kwargs":{"dry_run":false},"queue":"imports"}"""), JsonNode.Parse(body!)), body);
        var message = Assert.Single(ui.Publisher.Published);
        Assert.Equal((TaskName, "imports"), (message.Name, message.Queue));
        Assert.Empty(errors);

        (page, _) = await ui.OpenAsync($"#/invocation/{CutId}", controller: true);
        Assert.True(await page.Locator("#rerun").IsDisabledAsync());
        Assert.Contains("saferepr", await page.TextContentAsync("#rerun-reason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskPage_ShowsEachWorkersLimits_AndSetsOneNamingTaskAndWorkers_Issue27()
    {
        var (page, errors) = await ui.OpenAsync($"#/task/{TaskName}?range=7d", controller: true);
        await page.WaitForSelectorAsync("#task-limits table.limits");

        Assert.Equal("10/m", await page.TextContentAsync($"#task-limits tr[data-worker='{Worker}'] td:nth-child(2)"));
        Assert.StartsWith("30", await page.TextContentAsync($"#task-limits tr[data-worker='{Worker}'] td:nth-child(3)"), StringComparison.Ordinal);
        Assert.Equal("60", await page.TextContentAsync($"#task-limits tr[data-worker='{Worker}'] td:nth-child(4)"));
        await page.FillAsync("#task-limits input[name=ratelimit]", "5/s");
        await page.ClickAsync("#task-limits .set-rate");
        Assert.Contains($"Set the rate limit of {TaskName} to 5/s on 2 workers {Worker}, {Host}?", await page.TextContentAsync("#fleet-dialog .question"), StringComparison.Ordinal);
        await page.ClickAsync("#fleet-dialog button[type=submit]");
        await page.WaitForSelectorAsync("#fleet-outcome");

        var sent = ui.Fleet.Sent.Where(r => r.Command == "rate_limit").ToList();
        Assert.Equal(new[] { Host, Worker }.Order(StringComparer.Ordinal), sent.Select(r => r.Destination!.Single()).Order(StringComparer.Ordinal));
        Assert.All(sent, r => Assert.Equal("5/s", r.Arguments["rate_limit"]));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WorkersPage_ShowsLivePools_AndGrowsOne_ShowingTheReplies_Issue27()
    {
        var (page, errors) = await ui.OpenAsync("#/workers", controller: true);
        var card = page.Locator($".worker-live[data-worker='{Worker}']");
        await card.WaitForAsync();
        Assert.Equal("4", await card.Locator(".processes").TextContentAsync());
        Assert.Contains("imports", await card.TextContentAsync(), StringComparison.Ordinal);

        await card.Locator("input[name=n]").FillAsync("2");
        await card.Locator("button[data-act=grow]").ClickAsync();
        Assert.Contains($"Grow the pool of {Worker} by 2 (it has 4 processes)?", await page.TextContentAsync("#fleet-dialog .question"), StringComparison.Ordinal);
        await page.ClickAsync("#fleet-dialog button[type=submit]");
        await page.WaitForSelectorAsync("#fleet-outcome");

        Assert.Equal("pool_grow done", await page.TextContentAsync($"#fleet-outcome tr[data-worker='{Worker}'] td:nth-child(2)"));
        var grow = Assert.Single(ui.Fleet.Sent, r => r.Command == "pool_grow");
        Assert.Equal(2, grow.Arguments["n"]);
        Assert.Equal([Worker], grow.Destination);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AuditPageAndApi_ShowAControllersRevoke_WithTheWorkersReplies_Issue27()
    {
        var (page, errors) = await ui.OpenAsync($"#/invocation/{AuditedId}", controller: true);
        await page.ClickAsync("#revoke");
        await page.ClickAsync("#fleet-dialog button[type=submit]");
        await page.WaitForSelectorAsync("#fleet-outcome");

        // The entry through the API with the session the page holds (no Basic credential), once the flush has stored it.
        const string Listed = "async () => (await fetch('/api/audit?action=task.revoke&user=boss')).json()";
        await page.WaitForFunctionAsync($"async (id) => JSON.stringify(await ({Listed})()).includes(id)", AuditedId, new() { PollingInterval = 100 });
        var listed = await page.EvaluateAsync<JsonElement>(Listed);
        var entry = Assert.Single(listed.GetProperty("items").EnumerateArray(), e => e.GetProperty("target").GetString() == AuditedId);
        Assert.Equal(Controller, entry.GetProperty("user").GetString());
        Assert.Equal("done", entry.GetProperty("outcome").GetString());
        Assert.Equal("revoke done", entry.GetProperty("replies").GetProperty(Worker).GetProperty("ok").GetString());
        Assert.Equal([DownWorker], entry.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));

        await page.GotoAsync($"{ui.Root}/#/audit");
        await page.WaitForFunctionAsync("() => document.getElementById('view').dataset.loaded === '/audit'");
        var row = page.Locator("table.audit tr", new() { HasText = AuditedId });
        Assert.Equal(1, await row.CountAsync());
        var text = await row.TextContentAsync();
        Assert.Contains(Controller, text, StringComparison.Ordinal);
        Assert.Contains("task.revoke", text, StringComparison.Ordinal);
        Assert.Contains($"{Worker}: revoke done", text, StringComparison.Ordinal);
        Assert.Contains($"{DownWorker}: no answer", text, StringComparison.Ordinal);

        Assert.Empty(errors);
    }

    /// <summary>No element, handler or script came from the data, and none of its script ran.</summary>
    private static async Task AssertNothingInjectedAsync(IPage page, List<string> errors)
    {
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "injected script ran");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}

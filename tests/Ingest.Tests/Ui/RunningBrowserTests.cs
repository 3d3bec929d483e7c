using System.Globalization;
using System.Text;
using Ingest.Tests.Support;
using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>
/// Live work first-class (issue 25), in Debian's chromium against Ingest on a real port: a long run shows on the
/// Running page within seconds, is marked stuck once the server's clock passes its threshold, and appears, marked in
/// flight, on the runs page filtered to STARTED. Time is the server's fake clock and the posted timestamps.
/// </summary>
public sealed class RunningBrowserTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private HeadlessChromium _chromium = null!;

    public async Task InitializeAsync() => _chromium = await HeadlessChromium.StartAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Thirty one-second runs of shop.slow in the last hour (the baseline), and "long", started a second ago.</summary>
    private static async Task PostAsync(HttpClient client, double now)
    {
        var events = new StringBuilder("[");
        for (var i = 0; i < 30; i++)
        {
            var at = now - 3000 + (i * 60);
            events.Append(CultureInfo.InvariantCulture, $$"""{"type": "task-received", "uuid": "base-{{i}}", "name": "shop.slow", "timestamp": {{at}}},""");
            events.Append(CultureInfo.InvariantCulture, $$"""{"type": "task-started", "uuid": "base-{{i}}", "hostname": "w1@h", "timestamp": {{at + 0.1}}},""");
            events.Append(CultureInfo.InvariantCulture, $$"""{"type": "task-succeeded", "uuid": "base-{{i}}", "hostname": "w1@h", "runtime": 1.0, "timestamp": {{at + 1.1}}},""");
        }

        events.Append(CultureInfo.InvariantCulture, $$"""
            {"type": "task-received", "uuid": "long", "name": "shop.slow", "args": "(4711,)", "timestamp": {{now - 2}}},
            {"type": "task-started", "uuid": "long", "hostname": "w1@h", "timestamp": {{now - 1}}}]
            """);
        using var posted = await client.PostAsync("/api/events?wait=durable", new StringContent(events.ToString(), Encoding.UTF8, "application/json"));
        posted.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task RunningPage_LongRun_ShowsWithinSeconds_ThenMarkedStuckPastItsThreshold_Issue25()
    {
        var clock = Fixtures.Clock();
        await using var factory = new IngestFactory(_dir.File("running.db")) { Time = clock };
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        using var client = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress };
        await PostAsync(client, clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);

        var page = await _chromium.Browser.NewPageAsync();
        await page.GotoAsync($"{factory.ClientOptions.BaseAddress}#/running");
        var row = page.Locator("tr[data-task-id='long']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.Equal("ok", (await row.Locator("td").Last.InnerTextAsync()).Trim());
        Assert.Equal(["running"], await page.EvalOnSelectorAllAsync<string[]>("nav a.active", "links => links.map(a => a.dataset.nav)"));

        clock.Advance(TimeSpan.FromSeconds(10)); // past three times a p99 of about a second
        // The page refreshes itself every few seconds: the verdict changes without a reload.
        await page.Locator("tr[data-task-id='long'].stuck .badge.stuck").WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.Contains("1 stuck", await page.InnerTextAsync("#stuck-count"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsPageAndIngestPage_ShowTheRunInFlight_AndLinkToRunning_Issue25()
    {
        var clock = Fixtures.Clock();
        await using var factory = new IngestFactory(_dir.File("runs.db")) { Time = clock };
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        using var client = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress };
        await PostAsync(client, clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);

        var page = await _chromium.Browser.NewPageAsync();
        await page.GotoAsync($"{factory.ClientOptions.BaseAddress}#/runs?state=STARTED&range=24h");
        var row = page.Locator("tr[data-task-id='long']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.Equal("in flight", await row.Locator(".badge.in-flight").InnerTextAsync());
        Assert.Equal(1, await page.Locator("#view tbody tr").CountAsync());

        await page.GotoAsync($"{factory.ClientOptions.BaseAddress}#/search?q=4711");
        await page.Locator("tr[data-task-id='long'] .badge.in-flight").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });

        await page.GotoAsync($"{factory.ClientOptions.BaseAddress}#/ingest");
        await page.Locator("#oldest-in-flight").ClickAsync();
        await page.Locator("tr[data-task-id='long']").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
    }
}

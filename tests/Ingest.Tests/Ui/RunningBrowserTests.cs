using System.Globalization;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;
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

    /// <summary>
    /// Ingest on a real port on a fake clock, holding the baseline of shop.slow and "long", a run of it started a
    /// second ago; a page open at <paramref name="hash"/>.
    /// </summary>
    private async Task<(IngestFactory Factory, IPage Page)> ServeAsync(FakeTimeProvider clock, string hash)
    {
        var factory = new IngestFactory(_dir.File($"running-{Guid.NewGuid():N}.db")) { Time = clock };
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        using var client = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress };
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var events = SlowTaskRuns.Baseline(now);
        events.Append(CultureInfo.InvariantCulture, $$"""
            {"type": "task-received", "uuid": "long", "name": "shop.slow", "args": "(4711,)", "timestamp": {{now - 2}}},
            {"type": "task-started", "uuid": "long", "hostname": "w1@h", "timestamp": {{now - 1}}}
            """);
        await SlowTaskRuns.PostAsync(client, events);
        var page = await _chromium.Browser.NewPageAsync();
        await page.GotoAsync($"{factory.ClientOptions.BaseAddress}{hash}");
        return (factory, page);
    }

    [Fact]
    public async Task RunningPage_LongRun_ShowsWithinSeconds_ThenMarkedStuckPastItsThreshold_Issue25()
    {
        var clock = Fixtures.Clock();
        var (factory, page) = await ServeAsync(clock, "#/running");
        await using var _ = factory;
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
        var (factory, page) = await ServeAsync(Fixtures.Clock(), "#/runs?state=STARTED&range=24h");
        await using var _ = factory;
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

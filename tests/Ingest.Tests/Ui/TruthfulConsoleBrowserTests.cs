using Ingest.Tests.Support;
using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>
/// The console telling the truth (issue 25): the health badge with no source, every final state counted, a verdict
/// without a baseline, failures with their words. Debian's chromium against Ingest on a real port.
/// </summary>
public sealed class TruthfulConsoleBrowserTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private HeadlessChromium _chromium = null!;

    public async Task InitializeAsync() => _chromium = await HeadlessChromium.StartAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Ingest on a real port with <paramref name="settings"/>; <paramref name="root"/> is its base URL.</summary>
    private IngestFactory Serve(out string root, params (string Key, string Value)[] settings)
    {
        var factory = new IngestFactory(_dir.File($"console-{Guid.NewGuid():N}.db"));
        foreach (var (key, value) in settings)
        {
            factory.With(key, value);
        }

        // A port chosen here: with port 0 the factory's base address kept ":0" on some starts.
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        root = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return factory;
    }

    private async Task<IPage> OpenAsync(string url)
    {
        var page = await _chromium.Browser.NewPageAsync();
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => document.getElementById('view').dataset.loaded !== undefined");
        return page;
    }

    [Theory]
    [InlineData("#/", "tasks")]
    [InlineData("#/task/shop.add", "tasks")]
    [InlineData("#/failures", "failures")]
    [InlineData("#/search?q=12345", "")]
    [InlineData("#/runs?name=shop.add", "")]
    [InlineData("#/invocation/no-such-task", "")]
    public async Task Nav_EachPage_LightsItsOwnEntryOrNone_Issue25(string hash, string lit)
    {
        await using var factory = Serve(out var root);

        var page = await OpenAsync($"{root}/{hash}");

        var active = await page.EvalOnSelectorAllAsync<string[]>("nav a.active", "links => links.map(a => a.dataset.nav)");
        Assert.Equal(lit.Length == 0 ? [] : [lit], active);
    }

    [Fact]
    public async Task HealthBadge_NoSourceConfigured_SaysIdleNoSource_Issue25()
    {
        await using var factory = Serve(out var root, ("Ingest:Auth:HttpIngest", "false"));

        var page = await OpenAsync($"{root}/#/ingest");

        await page.WaitForFunctionAsync("() => document.getElementById('health').textContent === 'idle: no source'");
        await page.WaitForSelectorAsync("#ingest-report .badge.idle");
        Assert.Equal("idle: no source", await page.InnerTextAsync("#ingest-report .badge.idle"));
        Assert.Contains("no source is configured", await page.InnerTextAsync("#ingest-report"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TasksPage_TwoOfTwentyRunsRevoked_ShowsThemAndTheTaskPageSaysNotEnoughData_Issue25()
    {
        await using var factory = Serve(out var root);
        var at = Fixtures.CaptureEnd.AddMinutes(5).AddSeconds(-1).ToUnixTimeMilliseconds() / 1000.0;
        var events = Enumerable.Range(0, 20).SelectMany(i => new object[]
        {
            new { type = "task-received", uuid = $"r-{i}", name = "billing.charge", hostname = "celery@w1", timestamp = at - 1 },
            new { type = i < 2 ? "task-revoked" : "task-succeeded", uuid = $"r-{i}", hostname = "celery@w1", timestamp = at, runtime = 0.5 },
        });
        using (var client = factory.CreateClient())
        {
            using var posted = await client.PostAsync("/api/events?wait=durable", System.Net.Http.Json.JsonContent.Create(events));
            posted.EnsureSuccessStatusCode();
        }

        var page = await OpenAsync($"{root}/#/");
        await page.WaitForSelectorAsync("tr[data-task='billing.charge']");
        // Each count in the column its header names.
        var cells = await page.EvalOnSelectorAsync<Dictionary<string, string>>("table.tasks", """
            t => Object.fromEntries([...t.querySelectorAll("th")].map((th, i) =>
              [th.textContent.trim(), t.querySelector("tr[data-task='billing.charge']").cells[i].textContent.trim()]))
            """);
        Assert.Equal("20", cells["Runs"]);
        Assert.Equal("2", cells["Revoked"]);
        Assert.Equal("0", cells["Rejected"]);
        Assert.Equal("0", cells["Retried"]);

        // Nothing ran the day before: the verdict says so instead of "No regression".
        await page.GotoAsync($"{root}/#/task/billing.charge");
        await page.WaitForSelectorAsync("#verdict-unjudged");
        Assert.DoesNotContain("No regression", await page.InnerTextAsync("#view"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureAndRunLists_ShowTheExceptionsWordsBesideItsType_Issue25()
    {
        await using var factory = Serve(out var root);
        var at = Fixtures.CaptureEnd.AddMinutes(4).ToUnixTimeMilliseconds() / 1000.0;
        using (var client = factory.CreateClient())
        {
            using var posted = await client.PostAsync("/api/events?wait=durable", System.Net.Http.Json.JsonContent.Create(Endpoints.FailureWordsApiTests.HardTimeLimit(at)));
            posted.EnsureSuccessStatusCode();
        }

        var page = await OpenAsync($"{root}/#/failures");
        var failures = await page.InnerTextAsync("table.failures");
        Assert.Contains("TimeLimitExceeded(1,)", failures, StringComparison.Ordinal);
        Assert.Contains("ValueError('card 4242 declined')", failures, StringComparison.Ordinal);

        await page.GotoAsync($"{root}/#/runs?state=FAILURE");
        await page.WaitForFunctionAsync("() => document.getElementById('view').dataset.loaded === '/runs?state=FAILURE'");
        var exception = await page.EvalOnSelectorAsync<string>("table.runs", """
            t => t.querySelector("tr[data-task-id='plain-1']").cells[[...t.querySelectorAll("th")].findIndex((th) => th.textContent.trim() === "Exception")].textContent
            """);
        Assert.Contains("ValueError", exception, StringComparison.Ordinal);
        Assert.Contains("card 4242 declined", exception, StringComparison.Ordinal);
    }
}

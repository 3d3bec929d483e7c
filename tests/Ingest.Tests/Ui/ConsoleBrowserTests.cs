using System.Text.Json;
using Ingest.Storage;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>
/// The operator's console driven like a person would (issue 16), in Debian's chromium through Playwright: pick a
/// range, filter by queue and worker group, sort, open a failure group, page through runs, open the workers page
/// and an invocation. Every figure shown is checked against what the capture's events say.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly TempDirectory _dir = new();
    private readonly IReadOnlyDictionary<string, ExpectedTask> _expected = ExpectedTask.From(Fixtures.AllEvents());
    private IngestFactory _factory = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _root = "";

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/test, which installs Debian's chromium package");
        _factory = new IngestFactory(_dir.File("console.db"));
        // A port chosen here: with port 0 the factory's base address kept ":0" on some starts.
        _factory.UseKestrel(IngestProcess.FreePort());
        _factory.StartServer();
        _root = _factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        // Over HTTP, as a sender would: the worker table lives in this process's memory.
        using var client = new HttpClient { BaseAddress = _factory.ClientOptions.BaseAddress };
        foreach (var m in Fixtures.Messages)
        {
            using var posted = await client.PostAsync("/api/events?wait=durable", Fixtures.Json(m.Body));
            posted.EnsureSuccessStatusCode();
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _factory.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<IPage> OpenAsync(string hash, List<string>? errors = null)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors?.Add(m.Text);
            }
        };
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                errors?.Add($"{r.Status} {r.Url}");
            }
        };
        await page.GotoAsync($"{_root}/{hash}");
        await LoadedAsync(page, hash);
        return page;
    }

    /// <summary>Waits until the page has rendered the route it is on (the router marks <c>#view</c> when done).</summary>
    private static async Task LoadedAsync(IPage page, string? hash = null)
    {
        var want = (hash ?? new Uri(page.Url).Fragment).TrimStart('#');
        await page.WaitForFunctionAsync("w => document.getElementById('view').dataset.loaded === w", want.Length == 0 ? "/" : want);
    }

    /// <summary>Finished runs per task name: a task still running lives in memory, not yet in the rollups the page reads.</summary>
    private Dictionary<string, int> RunsByName() => _expected.Values.Where(t => TaskStates.IsReady(t.State))
        .GroupBy(t => t.Name ?? "").ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public async Task TasksPage_OverARange_ByQueueAndWorkerGroup_SortsAndShowsTheCapturesCounts()
    {
        var errors = new List<string>();
        var page = await OpenAsync("#/?range=7d", errors);

        var shown = await RowsAsync(page, "table.tasks", "data-task", 1);
        Assert.Equal(RunsByName().Where(kv => kv.Key.Length > 0).OrderBy(kv => kv.Key), shown.Select(kv => KeyValuePair.Create(kv.Key, int.Parse(kv.Value))).OrderBy(kv => kv.Key));
        // The bucket the figures are in, said on the page (issue 25: it was "whole hours").
        Assert.Contains("4-hour buckets", await page.InnerTextAsync(".range-note"), StringComparison.Ordinal);

        // Filter by queue, then by worker group: the capture has one of each, so the counts stay.
        await page.SelectOptionAsync("select[data-facet=queue]", "celery");
        await page.WaitForURLAsync("**queue=celery**");
        await LoadedAsync(page);
        await page.SelectOptionAsync("select[data-facet=worker_group]", "ingest-capture");
        await page.WaitForURLAsync("**worker_group=ingest-capture**");
        await LoadedAsync(page);
        Assert.Equal(shown.OrderBy(kv => kv.Key), (await RowsAsync(page, "table.tasks", "data-task", 1)).OrderBy(kv => kv.Key));

        // Sort by runs, both ways.
        await page.ClickAsync("table.tasks th:has-text('Runs')");
        var descending = (await RowsAsync(page, "table.tasks", "data-task", 1, ordered: true)).Select(kv => int.Parse(kv.Value)).ToList();
        Assert.Equal(descending.OrderDescending(), descending);
        Assert.Equal(RunsByName().Values.Max(), descending[0]);
        await page.ClickAsync("table.tasks th:has-text('Runs')");
        var ascending = (await RowsAsync(page, "table.tasks", "data-task", 1, ordered: true)).Select(kv => int.Parse(kv.Value)).ToList();
        Assert.Equal(ascending.Order(), ascending);

        // The overview chart answers hover with the bucket's values.
        var chart = page.Locator("svg[data-chart]").First;
        var box = (await chart.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width - 3, box.Y + (box.Height / 2));
        Assert.Matches(@"runs \d+", await page.Locator("figure.chart .readout").First.InnerTextAsync());

        // A queue no task used: nothing, said plainly.
        await page.GotoAsync($"{_root}/#/?range=7d&queue=no-such-queue");
        await LoadedAsync(page, "/?range=7d&queue=no-such-queue");
        Assert.Contains("No task ran in this range with these filters", await page.InnerTextAsync("#empty"), StringComparison.Ordinal);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task FailureGroup_OpensEveryRunOfThatGroup()
    {
        var page = await OpenAsync("#/failures?range=7d");
        var groups = _expected.Values.Where(t => t.State == TaskStates.Failure)
            .GroupBy(t => $"{t.Name}|{TaskStates.ExceptionTypeOf(t.Exception, t.Traceback)}").ToDictionary(g => g.Key, g => g.Select(t => t.TaskId).ToHashSet());

        var rows = page.Locator("table.failures tbody tr");
        Assert.Equal(groups.Count, await rows.CountAsync());
        var first = await rows.First.GetAttributeAsync("data-group");
        await rows.First.Locator("a.all-runs").ClickAsync();
        await page.WaitForURLAsync("**#/runs?**");
        await LoadedAsync(page);

        var ids = await page.Locator("table.runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.taskId)");
        Assert.Equal(groups[first!].Order(), ids.Order());
        Assert.All(await page.Locator("table.runs tbody tr td:nth-child(3)").AllInnerTextsAsync(), s => Assert.Equal("FAILURE", s));
    }

    [Fact]
    public async Task Runs_PageThroughEveryRunOfATask_WithNoneTwice()
    {
        var busiest = RunsByName().MaxBy(kv => kv.Value);
        var page = await OpenAsync($"#/runs?range=7d&name={Uri.EscapeDataString(busiest.Key)}&limit=6");

        var seen = new List<string>();
        for (var pages = 0; pages < 10; pages++)
        {
            seen.AddRange(await page.Locator("table.runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.taskId)"));
            if (await page.Locator("#older").CountAsync() == 0)
            {
                break;
            }

            await page.ClickAsync("#older");
            await page.WaitForFunctionAsync("() => location.hash.includes('cursor=') && document.getElementById('view').dataset.loaded === location.hash.slice(1)");
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(_expected.Values.Where(t => t.Name == busiest.Key && TaskStates.IsReady(t.State)).Select(t => t.TaskId).Order(), seen.Order());
    }

    [Fact]
    public async Task WorkersPage_AndAnInvocation_ShowWhatTheEventsSaid()
    {
        var page = await OpenAsync("#/workers");

        var row = page.Locator("table.workers tbody tr[data-worker='w1@ingest-capture']");
        Assert.Equal(1, await row.CountAsync());
        var cells = await row.Locator("td").AllInnerTextsAsync();
        Assert.Equal("ingest-capture", cells[1]);
        Assert.Equal("offline", cells[2]); // the capture ends with worker-offline
        Assert.Equal("5.2.6", cells[6]);
        Assert.Equal("celery", cells[9]);

        var failed = _expected.Values.First(t => t.State == TaskStates.Failure && t.Exception is not null);
        await page.GotoAsync($"{_root}/#/invocation/{failed.TaskId}");
        await LoadedAsync(page, $"/invocation/{failed.TaskId}");
        var text = await page.InnerTextAsync("main");
        Assert.Contains(TaskStates.ExceptionTypeOf(failed.Exception, failed.Traceback)!, text, StringComparison.Ordinal);
        Assert.Contains("Received", await page.InnerTextAsync("ol.timeline"), StringComparison.Ordinal);
        // Finished seconds ago and still in memory: said so, never "Still running" (issue 16).
        Assert.DoesNotContain("Still running", text, StringComparison.Ordinal);
        Assert.Contains("Finished moments ago", await page.InnerTextAsync("#live-state"), StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 16: the queues page shows each queue's reading, the broker's answer for a queue it lacks, and a chart
    /// per queue from the stored samples; a queue name from the wire is shown as text, never markup.
    /// </summary>
    [Fact]
    public async Task QueuesPage_ShowsTheReadings_AndChartsTheStoredSamples()
    {
        var lengths = _factory.Services.GetRequiredService<Ingest.Sources.Queues.QueueLengths>();
        var buffer = _factory.Services.GetRequiredService<Ingest.Pipeline.QueueSampleBuffer>();
        const string Hostile = "<img src=x onerror=alert(1)>";
        var written = buffer.Written;
        lengths.Record("amqp", [new("celery", 42, 2), new("orders", null, null), new(Hostile, 3, 0)]);
        await Wait.UntilAsync(() => buffer.Written >= written + 3, "the samples to be stored");
        var errors = new List<string>();

        var page = await OpenAsync("#/queues", errors);

        var rows = await RowsAsync(page, "table.queues", "data-queue", 1);
        Assert.Equal([KeyValuePair.Create(Hostile, "3"), KeyValuePair.Create("celery", "42"), KeyValuePair.Create("orders", "0")], rows);
        Assert.Contains("not on the broker", await page.InnerTextAsync("table.queues tr[data-queue='orders']"), StringComparison.Ordinal);
        Assert.Equal("2", (await page.Locator("table.queues tr[data-queue='celery'] td").AllInnerTextsAsync())[2]);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        var charts = await page.Locator("figure.chart figcaption strong").AllInnerTextsAsync();
        Assert.Contains("celery: messages waiting", charts);
        Assert.Contains("max 42", await page.InnerTextAsync("figure.chart:has-text('celery: messages waiting') figcaption"), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    /// <summary>Rows of a table keyed by a data attribute, with the text of one column.</summary>
    private static async Task<List<KeyValuePair<string, string>>> RowsAsync(IPage page, string table, string key, int column, bool ordered = false)
    {
        var rows = await page.Locator($"{table} tbody tr").EvaluateAllAsync<JsonElement>(
            $"(rows, c) => rows.map(r => [r.getAttribute('{key}'), r.cells[c].innerText.replace(/,/g, '')])", column);
        var list = rows.EnumerateArray().Select(r => KeyValuePair.Create(r[0].GetString()!, r[1].GetString()!.Trim())).ToList();
        return ordered ? list : [.. list.OrderBy(kv => kv.Key, StringComparer.Ordinal)];
    }
}

using System.Text.Json;
using Ingest.Storage;
using Ingest.Storage.Writing;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>
/// Charts people can read (issue 25), in Debian's chromium at a desktop's and a phone's width: a time axis in the
/// viewer's zone whose labels do not overlap, a y scale with its unit, values from the keyboard and in a table, the
/// bucket in progress marked partial, and "15 min" as its fifteen minutes in one-minute buckets.
/// </summary>
public sealed class ChartsBrowserTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 37, 20, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private HeadlessChromium _chromium = null!;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.StartAsync();
        _db = _dir.File("charts.db");
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = _db }, new FakeTimeProvider(Now));
        var start = new DateTimeOffset(2026, 11, 22, 12, 37, 10, TimeSpan.Zero);
        writer.WriteBatch([.. Enumerable.Range(0, 180).Select(m => Run($"r{m}", start.AddMinutes(-m)))]);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task TasksPage_FifteenMinutes_MinuteBucketsOnAReadableAxis_Issue25(int width)
    {
        await using var factory = new IngestFactory(_db) { Time = new FakeTimeProvider(Now) };
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        var root = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        // India's zone (+05:30): a label in UTC could never read 18:00 here.
        await using var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 }, TimezoneId = "Asia/Kolkata", Locale = "en-GB",
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{root}/#/?range=15m");
        await page.WaitForSelectorAsync("figure.chart svg[data-chart]");

        Assert.Contains("1-minute buckets", await page.InnerTextAsync("#window-note"), StringComparison.Ordinal);
        var chart = JsonDocument.Parse((await page.GetAttributeAsync("figure.chart svg[data-chart]", "data-chart"))!).RootElement;
        var points = chart.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(15, points.Count);
        var minutes = points.Select(p => DateTimeOffset.Parse(p.GetProperty("t").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 15).Select(i => new DateTimeOffset(2026, 11, 22, 12, 23, 0, TimeSpan.Zero).AddMinutes(i)), minutes);
        Assert.Equal([.. Enumerable.Repeat(false, 14), true], points.Select(p => p.GetProperty("p").GetBoolean()));
        Assert.Equal(1, await page.Locator("figure.chart").First.Locator("rect.partial").CountAsync());

        // The time axis: labels in the viewer's zone, none overlapping another; the y scale names its unit.
        var labels = await page.Locator("figure.chart").First.Locator(".x-axis .tick:visible").AllInnerTextsAsync();
        Assert.True(labels.Count >= 2, $"only {labels.Count} time labels");
        Assert.Contains("18:00", labels);
        var overlaps = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('figure.chart')].flatMap(f => {
              const boxes = [...f.querySelectorAll('.x-axis .tick')].filter(t => t.offsetParent).map(t => t.getBoundingClientRect());
              return boxes.slice(1).filter((b, i) => b.left < boxes[i].right);
            }).length
            """);
        Assert.True(overlaps == 0, await page.EvaluateAsync<string>("() => JSON.stringify([...document.querySelectorAll('figure.chart .x-axis .tick')].map(t => [t.textContent, t.getBoundingClientRect().left, t.getBoundingClientRect().right]))"));
        Assert.EndsWith("runs", (await page.Locator("figure.chart").First.Locator(".y-axis span").First.InnerTextAsync()).Trim(), StringComparison.Ordinal);

        // From the keyboard: the focused chart reads the newest bucket, and the arrow keys move along.
        await page.FocusAsync("figure.chart svg[data-chart]");
        var readout = page.Locator("figure.chart").First.Locator(".readout");
        await Assertions.Expect(readout).ToContainTextAsync("(partial)");
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(readout).Not.ToContainTextAsync("(partial)");
        await Assertions.Expect(readout).ToContainTextAsync("runs 1");
        Assert.Equal(15, await page.Locator("figure.chart").First.Locator(".chart-values li").CountAsync());
    }

    private static InvocationRecord Run(string id, DateTimeOffset at)
    {
        var t = at.ToUnixTimeMilliseconds() / 1000.0;
        return new() { TaskId = id, Name = "t.every_minute", State = TaskStates.Success, StateAt = t, FinishedAt = t, StartedAt = t - 0.5, RuntimeSeconds = 0.5, Queue = "celery", Worker = "w@h" };
    }
}

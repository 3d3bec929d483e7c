using System.Diagnostics;
using System.Text.RegularExpressions;
using Ingest.Tests.Support;

namespace Ingest.Tests.Ui;

/// <summary>
/// The web UI in a real browser: Debian's chromium, headless, against Ingest listening on a real port with the
/// fixture capture loaded. No downloaded browser: <c>scripts/test</c> installs the <c>chromium</c> package.
/// </summary>
public sealed partial class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task SearchPage_ForAnOrderId_ShowsExactlyTheInvocationsCarryingIt()
    {
        using var dir = new TempDirectory();
        var db = await ReplayCaptureAsync(dir);
        var want = ExpectedTask.Carrying("12345", Fixtures.AllEvents(), ExpectedTask.From(Fixtures.AllEvents()));
        Assert.NotEmpty(want);

        await using var factory = Serve(db, out var root);

        var dom = await DumpDomAsync($"{root}/#/search?q=12345", dir.File("profile"));

        Assert.Contains("Invocations carrying", dom, StringComparison.Ordinal);
        var shown = TaskIdRow().Matches(dom).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(want.Order(), shown.Order());
    }

    [Fact]
    public async Task TasksPage_ListsTheCapturesTasks_AndServesTheAppWithoutABuildStep()
    {
        using var dir = new TempDirectory();
        var db = await ReplayCaptureAsync(dir);
        var names = ExpectedTask.From(Fixtures.AllEvents()).Values.Select(t => t.Name).OfType<string>().Distinct().ToList();

        await using var factory = Serve(db, out var root);

        var dom = await DumpDomAsync($"{root}/#/", dir.File("profile"));

        Assert.All(names, n => Assert.Contains($"href=\"#/task/{Uri.EscapeDataString(n)}\"", dom, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvocationPage_OfADayPastDetailRetention_SaysItsArgsWereDropped()
    {
        using var dir = new TempDirectory();
        var db = await ReplayCaptureAsync(dir);
        var task = ExpectedTask.From(Fixtures.AllEvents()).First(t => t.Value.State == Ingest.Storage.TaskStates.Success).Key;

        // Two days on, with one day of details kept, maintenance strips the capture's day.
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Fixtures.CaptureEnd.AddDays(2));
        using (var writer = new Ingest.Storage.Writing.InvocationWriter(new Ingest.Storage.StorageOptions { DatabasePath = db }, later))
        {
            var maintenance = new Ingest.Storage.Maintenance.StorageMaintenance(writer, new Ingest.Storage.Retention.RetentionOptions { Days = 3650, DetailDays = 1 }, later);
            var step = maintenance.RunStep(CancellationToken.None);
            for (var i = 0; i < 100 && (step.Kind != Ingest.Storage.Maintenance.MaintenanceKind.None || step.MorePending); i++)
            {
                step = maintenance.RunStep(CancellationToken.None);
            }

            Assert.NotNull(writer.DetailsDroppedThrough);
        }

        await using var factory = Serve(db, out var root);
        using var http = factory.CreateClient();
        await Wait.UntilAsync(() => http.GetStringAsync("/healthz").Result.Contains("\"details_dropped_through\":\"", StringComparison.Ordinal), "the server to read which days lost their details");

        var dom = await DumpDomAsync($"{root}/#/invocation/{Uri.EscapeDataString(task)}", dir.File("profile"));

        Assert.Contains("id=\"details-dropped\"", dom, StringComparison.Ordinal);
        Assert.Contains(task, dom, StringComparison.Ordinal);
    }

    /// <summary>The shared capture replayed into a fresh file in <paramref name="dir"/> (and chromium checked for).</summary>
    private static async Task<string> ReplayCaptureAsync(TempDirectory dir)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/test, which installs Debian's chromium package");
        var db = dir.File("capture.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db]));
        return db;
    }

    /// <summary>Ingest serving <paramref name="db"/> on a real port; <paramref name="root"/> is its base URL.</summary>
    private static IngestFactory Serve(string db, out string root)
    {
        var factory = new IngestFactory(db);
        factory.UseKestrel(0);
        factory.StartServer();
        root = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return factory;
    }

    private static async Task<string> DumpDomAsync(string url, string profile)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            $"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom", url,
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish loading {url}: {await stderr}");
        }

        var dom = await stdout;
        Assert.True(dom.Length > 0, $"chromium printed no DOM (exit {process.ExitCode}): {await stderr}");
        return dom;
    }

    [GeneratedRegex("<tr data-task-id=\"([^\"]+)\"")]
    private static partial Regex TaskIdRow();
}

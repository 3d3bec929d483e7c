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
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/test, which installs Debian's chromium package");
        using var dir = new TempDirectory();
        var db = dir.File("capture.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db]));
        var want = ExpectedTask.Carrying("12345", Fixtures.AllEvents(), ExpectedTask.From(Fixtures.AllEvents()));
        Assert.NotEmpty(want);

        await using var factory = new IngestFactory(db);
        factory.UseKestrel(0);
        factory.StartServer();
        var root = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');

        var dom = await DumpDomAsync($"{root}/#/search?q=12345", dir.File("profile"));

        Assert.Contains("Invocations carrying", dom, StringComparison.Ordinal);
        var shown = TaskIdRow().Matches(dom).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(want.Order(), shown.Order());
    }

    [Fact]
    public async Task TasksPage_ListsTheCapturesTasks_AndServesTheAppWithoutABuildStep()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/test, which installs Debian's chromium package");
        using var dir = new TempDirectory();
        var db = dir.File("capture.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db]));
        var names = ExpectedTask.From(Fixtures.AllEvents()).Values.Select(t => t.Name).OfType<string>().Distinct().ToList();

        await using var factory = new IngestFactory(db);
        factory.UseKestrel(0);
        factory.StartServer();
        var root = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');

        var dom = await DumpDomAsync($"{root}/#/", dir.File("profile"));

        Assert.All(names, n => Assert.Contains($"href=\"#/task/{Uri.EscapeDataString(n)}\"", dom, StringComparison.Ordinal));
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

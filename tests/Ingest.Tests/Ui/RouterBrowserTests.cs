using Microsoft.Playwright;
using static Ingest.Tests.Ui.FleetConsole;

namespace Ingest.Tests.Ui;

/// <summary>
/// The console's router: a page left while it is still loading (a link clicked while Tasks waits on its figures)
/// must not paint over the page asked for after it. Seen in CI: after sign-in the Tasks page was still loading when
/// the test opened an invocation; the invocation showed, then the late Tasks render replaced it.
/// </summary>
public sealed class RouterBrowserTests(FleetConsole ui) : IClassFixture<FleetConsole>
{
    [Fact]
    public async Task APageLeftWhileLoading_FinishesUnseen_AndTheLaterPageStays()
    {
        var (page, errors) = await ui.OpenAsync("#/workers", controller: false);
        var held = new TaskCompletionSource();
        var asked = new TaskCompletionSource();
        await page.RouteAsync("**/api/tasks?**", async route =>
        {
            asked.TrySetResult();
            await held.Task;
            await route.ContinueAsync();
        });

        var routed = await Routed(page);
        await page.EvaluateAsync("() => { location.hash = '#/'; }");
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await page.EvaluateAsync($"() => {{ location.hash = '#/invocation/{RunningId}'; }}");
        await page.WaitForFunctionAsync("w => document.getElementById('view').dataset.loaded === w", $"/invocation/{RunningId}");

        // Tasks gets its figures only now, after the invocation showed; both routes end.
        held.SetResult();
        await page.WaitForFunctionAsync("n => Number(document.getElementById('view').dataset.routed) >= n", routed + 2);

        Assert.Equal($"/invocation/{RunningId}", await page.EvaluateAsync<string>("() => document.getElementById('view').dataset.loaded"));
        Assert.Contains(RunningId, await page.TextContentAsync("#view h1") ?? "", StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#view .charts").CountAsync());
        Assert.Empty(errors);
    }

    private static async Task<int> Routed(IPage page) =>
        int.Parse(await page.EvaluateAsync<string>("() => document.getElementById('view').dataset.routed"), System.Globalization.CultureInfo.InvariantCulture);
}

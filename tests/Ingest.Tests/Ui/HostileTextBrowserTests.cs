using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Ingest.Tests.Ui.HostileConsole;

namespace Ingest.Tests.Ui;

/// <summary>
/// Issue 23: with markup and script in every field a sender controls (<see cref="HostileConsole"/>), every page of
/// the console shows that text as text and runs none of it; and the UI's modules are served as the browser needs.
/// </summary>
public sealed partial class HostileTextBrowserTests(HostileConsole ui) : IClassFixture<HostileConsole>
{
    /// <summary>What search is asked for: the markup alone, found in the args of every run.</summary>
    private const string Term = "<img src=x onerror=window.__pwned=1>";

    public static TheoryData<string, string[]> Pages() => new()
    {
        { "#/?range=7d", [Name] },
        { $"#/task/{Uri.EscapeDataString(Name)}?range=7d", [Name, Host, QueueName, FailedId] },
        { $"#/task/{Uri.EscapeDataString(SlashlessName)}?range=7d", [SlashlessName, "By queue", QueueName, Host, SlashlessId] },
        { "#/failures?range=7d", [Name, SlashlessName] },
        { $"#/runs?range=7d&name={Uri.EscapeDataString(Name)}&queue={Uri.EscapeDataString(QueueName)}&worker={Uri.EscapeDataString(Host)}&exception_type={Uri.EscapeDataString(Hostile)}", [$"task {Name}", $"exception {Hostile}"] },
        { $"#/runs?range=7d&name={Uri.EscapeDataString(Name)}", [Name, Host, QueueName, FailedId, SucceededId] },
        { $"#/invocation/{Uri.EscapeDataString(FailedId)}", [Name, FailedId, Host, QueueName, ExceptionText, Traceback, Args, Kwargs] },
        { $"#/invocation/{SucceededId}", [Name, Host, QueueName, Result] },
        { $"#/search?q={Uri.EscapeDataString(Term)}", [$"“{Term}”", Name, Host, QueueName] },
        { "#/workers", [Host, Hostile] },
        { "#/queues?range=7d", [QueueName, $"{QueueName}: messages waiting", Broker] },
        { "#/audit", [Hostile, FailedId, Host, $"{QueueName}: no answer", $"error: {Hostile}"] },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_WithMarkupInEveryField_ShowsItAsText_AndRunsNone(string hash, string[] shown)
    {
        var (page, errors) = await ui.OpenAsync(hash);

        var text = await ViewTextAsync(page);
        Assert.All(shown, s => Assert.Contains(s, text, StringComparison.Ordinal));
        Assert.Equal(0, await page.Locator("#view .notice.bad").CountAsync());
        await AssertNothingInjectedAsync(page, errors);
    }

    [Fact]
    public async Task IngestPage_StreamingAHostileInvocation_ShowsItAsText_AndRunsNone()
    {
        var (page, errors) = await ui.OpenAsync("#/ingest");
        await page.WaitForSelectorAsync("#ingest-report .card");

        await ui.PostAsync(Run("0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011", Now - 30, failed: true));
        await page.WaitForSelectorAsync("#live table.runs tbody tr");

        var text = await ViewTextAsync(page);
        Assert.Contains(Name, text, StringComparison.Ordinal);
        Assert.Contains(Host, text, StringComparison.Ordinal);
        await AssertNothingInjectedAsync(page, errors);
    }

    /// <summary>Issue 23: html.js escapes each value, lets only its own results through, and render refuses a string.</summary>
    [Fact]
    public async Task HtmlModule_EscapesValues_ComposesTemplates_AndRefusesStringsAndScriptUrls()
    {
        var (page, errors) = await ui.OpenAsync("#/workers");

        var got = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const { html, join, render, safeUrl } = await import("/js/html.js");
              const refused = (f) => { try { f(); return false; } catch { return true; } };
              const v = `<b a="1" b='2'>&\``;
              const el = document.createElement("div");
              render(el, html`<p title="${v}">${v}</p>${[1, 2].map((i) => html`<i>${i}</i>`)}${join(["x", "y"], html`<br>`)}`);
              return {
                text: String(html`${v}`),
                attribute: el.firstChild.getAttribute("title"),
                shown: el.firstChild.textContent,
                nested: el.innerHTML.slice(el.innerHTML.indexOf("</p>") + 4),
                links: [html`<a href="${"javascript:alert(1)"}">`, html`<a href="${" javascript:alert(1)"}">`, html`<a href="${"//evil.example"}">`,
                  html`<a href="${"#/task/a"}">`, html`<a href="${"https://example.com/"}">`].map(String),
                safe: ["JaVaScRiPt:x", "data:text/html,x", "/runs", "http://h/"].map(safeUrl),
                refusesString: refused(() => render(el, "<b>x</b>")),
                refusesHandler: refused(() => html`<a onclick="${"x"}">`),
                refusesUnquoted: refused(() => html`<a title=${"x"}>`),
                refusesForgedResult: refused(() => render(el, { toString: () => "<b>x</b>" })),
                refusesCallWithoutTemplate: refused(() => html(["<b>x</b>"])),
              };
            }
            """);

        Assert.Equal("&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;&#96;", got.GetProperty("text").GetString());
        Assert.Equal("<b a=\"1\" b='2'>&`", got.GetProperty("attribute").GetString());
        Assert.Equal("<b a=\"1\" b='2'>&`", got.GetProperty("shown").GetString());
        Assert.Equal("<i>1</i><i>2</i>x<br>y", got.GetProperty("nested").GetString());
        Assert.Equal(["<a href=\"#\">", "<a href=\"#\">", "<a href=\"#\">", "<a href=\"#/task/a\">", "<a href=\"https://example.com/\">"],
            got.GetProperty("links").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(["#", "#", "/runs", "http://h/"], got.GetProperty("safe").EnumerateArray().Select(l => l.GetString()));
        foreach (var check in new[] { "refusesString", "refusesHandler", "refusesUnquoted", "refusesForgedResult", "refusesCallWithoutTemplate" })
        {
            Assert.True(got.GetProperty(check).GetBoolean(), check);
        }

        Assert.Empty(errors);
    }

    /// <summary>
    /// Issue 23: the UI is ES modules with no build step. Every module main.js imports, directly or not, is served as
    /// JavaScript under the site's CSP and revalidated on each load, and every embedded module is one of them.
    /// </summary>
    [Fact]
    public async Task UiModules_AreServedAsJavaScript_UnderTheCsp_AndAllAreImported()
    {
        using var http = ui.Factory.CreateClient();
        var index = await http.GetStringAsync("/");
        Assert.Contains("<script type=\"module\" src=\"/js/main.js\"></script>", index, StringComparison.Ordinal);

        var served = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<Uri>([new Uri("http://ui/js/main.js")]);
        while (pending.TryDequeue(out var module))
        {
            if (!served.Add(module.AbsolutePath))
            {
                continue;
            }

            using var response = await http.GetAsync(module.AbsolutePath);
            Assert.True(response.IsSuccessStatusCode, $"{module.AbsolutePath}: {response.StatusCode}");
            Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
            var source = await response.Content.ReadAsStringAsync();
            Assert.True(source.Split('\n').Length <= 400, $"{module.AbsolutePath} is over 400 lines");
            foreach (Match import in RelativeImport().Matches(source))
            {
                pending.Enqueue(new Uri(module, import.Groups[1].Value));
            }
        }

        var embedded = typeof(Ingest.Hosting.IngestApp).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Ui.js.", StringComparison.Ordinal))
            .Select(n => "/" + n["Ui.".Length..^".js".Length].Replace('.', '/') + ".js");
        Assert.Equal(embedded.Order(StringComparer.Ordinal), served.Order(StringComparer.Ordinal));
        Assert.Contains("/js/pages/invocation.js", served);
    }

    private static Task<string> ViewTextAsync(IPage page) => page.EvaluateAsync<string>("() => document.getElementById('view').textContent");

    /// <summary>No element, handler, script or script URL came from the data, and none of its script ran.</summary>
    private static async Task AssertNothingInjectedAsync(IPage page, List<string> errors)
    {
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Equal(0, await page.Locator("#view script").CountAsync());
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => [...document.links].filter((a) => a.protocol !== 'http:' && a.protocol !== 'https:').length"));
        // Hovering every row would fire an injected onmouseover; a loaded injected img would have fired onerror.
        foreach (var row in await page.Locator("#view tbody tr").AllAsync())
        {
            await row.HoverAsync();
        }

        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "injected script ran");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [GeneratedRegex("^import .* from \"(\\.[^\"]+)\";$", RegexOptions.Multiline)]
    private static partial Regex RelativeImport();
}

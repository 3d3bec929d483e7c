using System.Diagnostics;
using Ingest.Tests.Support;
using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>
/// A person signing in (issue 15): Debian's chromium driven by Playwright (never a downloaded browser) opens the
/// tasks page, is sent to the sign-in form, signs in with a user from an htpasswd file, and sees the capture's tasks.
/// </summary>
public sealed class SignInBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task SigningIn_ShowsTheTasksPage_AndAWrongPasswordDoesNot()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/test, which installs Debian's chromium package");
        Assert.True(File.Exists("/usr/bin/htpasswd"), "/usr/bin/htpasswd is missing: run scripts/test, which installs apache2-utils");
        using var dir = new TempDirectory();
        var db = dir.File("capture.db");
        var token = dir.File("token");
        await File.WriteAllTextAsync(token, "browser-test-token-0123456789abcdef");
        var users = dir.File("users");
        using (var htpasswd = Process.Start("/usr/bin/htpasswd", ["-B", "-b", "-c", users, "ana", "s3cret pass"]))
        {
            await htpasswd.WaitForExitAsync();
            Assert.Equal(0, htpasswd.ExitCode);
        }

        var name = ExpectedTask.From(Fixtures.AllEvents()).Values.Select(t => t.Name).OfType<string>().Order(StringComparer.Ordinal).First();
        await using var factory = new IngestFactory(db).With("Ingest:Auth:Disabled", "false").With("Ingest:Auth:UsersFile", users)
            .With("Ingest:Auth:IngestTokenFile", token);
        // A port chosen here: with port 0 the factory's base address kept ":0" on some starts.
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        var root = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        // The capture goes in the way a machine sender's would: with the ingest token.
        using (var sender = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress })
        {
            sender.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "browser-test-token-0123456789abcdef");
            foreach (var m in Fixtures.Messages)
            {
                using var posted = await sender.PostAsync("/api/events", Fixtures.Json(m.Body));
                posted.EnsureSuccessStatusCode();
            }
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };

        await page.GotoAsync($"{root}/");
        Assert.StartsWith($"{root}/signin", page.Url, StringComparison.Ordinal);

        await page.FillAsync("input[name=username]", "ana");
        await page.FillAsync("input[name=password]", "wrong");
        await page.ClickAsync("button[type=submit]");
        try
        {
            await page.WaitForSelectorAsync(".signin-error", new PageWaitForSelectorOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no error shown at {page.Url}: {await page.ContentAsync()}");
        }

        Assert.Contains("Wrong user or password", await page.InnerTextAsync(".signin-error"), StringComparison.Ordinal);

        await page.FillAsync("input[name=username]", "ana");
        await page.FillAsync("input[name=password]", "s3cret pass");
        await page.ClickAsync("button[type=submit]");
        // The tasks page lists the capture's task names as links; the CSP in force must not have blocked the app.
        await page.WaitForSelectorAsync($"a[href=\"#/task/{Uri.EscapeDataString(name)}\"]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.Ordinal));

        // Waiting starts before the click, so a quick redirect is not missed.
        var signedOut = page.WaitForURLAsync($"{root}/signin**", new PageWaitForURLOptions { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        await page.ClickAsync(".signout button");
        await signedOut;
        await page.GotoAsync($"{root}/");
        Assert.StartsWith($"{root}/signin", page.Url, StringComparison.Ordinal);
    }
}

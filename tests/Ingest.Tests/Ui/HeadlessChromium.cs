using Microsoft.Playwright;

namespace Ingest.Tests.Ui;

/// <summary>Debian's chromium, headless, driven by Playwright (never a downloaded browser): started once per test class.</summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Where scripts/test installs Debian's chromium package.</summary>
    public const string Path = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>Starts the browser, after checking it is installed.</summary>
    public static async Task<HeadlessChromium> StartAsync()
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: run scripts/test, which installs Debian's chromium package");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return new HeadlessChromium(playwright, browser);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

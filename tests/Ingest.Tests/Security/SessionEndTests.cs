using System.Net;
using Ingest.Tests.Support;
using static Ingest.Tests.Security.AuthTestServer;

namespace Ingest.Tests.Security;

/// <summary>
/// Issue 24, "a session outlives its credential": a UI session cookie replayed after sign-out, after its user left
/// the users file, after the password changed, or past its maximum age however often it is used, is refused;
/// sign-out takes only a post from this site; a return path that a browser could read as another site, or that
/// cannot go in a header, is a 400.
/// </summary>
public sealed class SessionEndTests : IDisposable
{
    private readonly AuthTestServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task SignIn_AReturnPathABrowserCouldReadAsAnotherSite_Is400_Issue24()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        using var client = Client(factory);
        foreach (var back in new[] { "/\t/evil.example", "/\r\n/evil.example", "/\n/evil.example", "/%09/evil.example", "/\\evil.example", "//evil.example", "https://evil.example/" })
        {
            // Before: a tab was answered "Location: /\t/evil.example" (chromium went to evil.example), CR or LF a 500.
            using var posted = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "sre", ["password"] = "correct horse", ["return"] = back }));
            Assert.True(posted.StatusCode == HttpStatusCode.BadRequest, $"POST return={Uri.EscapeDataString(back)}: {posted.StatusCode} {posted.Headers.Location}");
            Assert.Null(posted.Headers.Location);
            Assert.Null(SessionCookie(posted));
            Assert.Contains("return must be a path on this site", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var page = await client.GetAsync("/signin?return=" + Uri.EscapeDataString(back));
            Assert.True(page.StatusCode == HttpStatusCode.BadRequest, $"GET return={Uri.EscapeDataString(back)}: {page.StatusCode}");
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("would have left this site", html, StringComparison.Ordinal);
            Assert.Contains("name=\"return\" value=\"/\"", html, StringComparison.Ordinal);
        }
    }
}

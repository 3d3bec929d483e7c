using System.Net;
using Ingest.Security;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
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

    private static FakeTimeProvider Clock(IngestFactory factory) => (FakeTimeProvider)factory.Services.GetRequiredService<TimeProvider>();

    private static async Task<HttpStatusCode> ReadAsync(HttpClient client, string cookie)
    {
        using var request = WithCookie(HttpMethod.Get, "/api/invocations", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Rewrites the users file and dates it a minute later, so that the change is seen whatever the file system's clock.</summary>
    private static void Touch(string usersFile) => File.SetLastWriteTimeUtc(usersFile, File.GetLastWriteTimeUtc(usersFile).AddMinutes(1));

    [Fact]
    public async Task SignOut_TheOldCookieReplayed_IsRefused_Issue24()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        using var client = Client(factory);
        var cookie = await SignInAsync(client);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(client, cookie));

        var own = factory.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority);
        using (var signOut = WithCookie(HttpMethod.Post, "/signout", cookie, ("Origin", own)))
        using (var signedOut = await client.SendAsync(signOut))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
            Assert.Equal("/signin", signedOut.Headers.Location!.OriginalString);
        }

        // Before: the cookie, a self-contained signed ticket, still read for the rest of its 8 hours.
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(client, cookie));
        using var page = WithCookie(HttpMethod.Get, "/", cookie);
        using var sent = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.StartsWith("/signin?return=", sent.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_NotFromThisSite_Is403_AndTheSessionGoesOn_Issue24()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        using var client = Client(factory);
        var cookie = await SignInAsync(client);
        (string Name, string Value)[][] notFromHere =
        [
            [("Origin", "https://evil.example")],
            [("Origin", "null")],
            [("Sec-Fetch-Site", "cross-site")],
            [("Sec-Fetch-Site", "same-site")],
            [("Referer", "https://evil.example/page")],
            [("Sec-Fetch-Site", "same-origin"), ("Origin", "https://evil.example")],
            [],
        ];

        foreach (var headers in notFromHere)
        {
            using var signOut = WithCookie(HttpMethod.Post, "/signout", cookie, headers);
            using var refused = await client.SendAsync(signOut);

            // Before: any post signed the user out (and the cookie still read anyway).
            var what = string.Join(", ", headers.Select(h => $"{h.Name}: {h.Value}"));
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"[{what}]: {refused.StatusCode}");
            Assert.Null(SessionCookie(refused));
            Assert.Equal(HttpStatusCode.OK, await ReadAsync(client, cookie));
        }
    }

    [Fact]
    public async Task SignOut_WithTheHeadersTheUisFormSends_SignsOut_Issue24()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        using var client = Client(factory);
        var cookie = await SignInAsync(client);
        var own = factory.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority);

        using var signOut = WithCookie(HttpMethod.Post, "/signout", cookie, ("Sec-Fetch-Site", "same-origin"), ("Origin", own), ("Referer", own + "/#/failures"));
        using var signedOut = await client.SendAsync(signOut);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(client, cookie));
    }

    [Theory]
    [InlineData(false, "ops", "battery staple")]
    [InlineData(true, "sre", "new horse")]
    public async Task UserRemovedOrPasswordChanged_TheSessionEndsWithinTheReloadInterval_Issue24(bool newPassword, string nextUser, string nextPassword)
    {
        _server.UsersFile("ops", "battery staple");
        var users = _server.UsersFile();
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", users));
        using var client = Client(factory);
        var cookie = await SignInAsync(client);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(client, cookie));

        if (newPassword)
        {
            _server.UsersFile("sre", "new horse");
        }
        else
        {
            File.WriteAllLines(users, File.ReadAllLines(users).Where(l => !l.StartsWith("sre:", StringComparison.Ordinal)));
        }

        Touch(users);
        Clock(factory).Advance(HtpasswdUsers.RecheckFileEvery + TimeSpan.FromSeconds(1));

        // Before: read on until the idle expiry, and for ever when used.
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(client, cookie));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(client, await SignInAsync(client, nextUser, nextPassword)));
    }

    [Fact]
    public async Task AUsedSession_EndsAtItsMaximumAge_ThoughItsIdleExpirySlides_Issue24()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        var time = Clock(factory);
        using var client = Client(factory);
        var cookie = await SignInAsync(client);

        // Used every 5 hours, the 8-hour idle expiry is renewed each time: the session is never idle that long.
        for (var hours = 5; hours < 24; hours += 5)
        {
            time.Advance(TimeSpan.FromHours(5));
            using var request = WithCookie(HttpMethod.Get, "/api/invocations", cookie);
            using var read = await client.SendAsync(request);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"{hours} h after sign-in: {read.StatusCode}");
            cookie = SessionCookie(read) ?? cookie;
        }

        time.Advance(TimeSpan.FromHours(5));

        // 25 hours after sign-in: past the default --session-max-hours 24. Before: still read.
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(client, cookie));
    }

    [Fact]
    public async Task SessionMaxHours_IsTheSetting_Issue24()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()), ("Ingest:Auth:SessionMaxHours", "2"));
        using var client = Client(factory);
        var cookie = await SignInAsync(client);

        Clock(factory).Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(client, cookie));
        Clock(factory).Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(client, cookie));
    }

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

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Ingest.Tests.Security.AuthTestServer;

namespace Ingest.Tests.Security;

/// <summary>
/// Access control through a real Kestrel port (issue 15): without a credential every route but <c>/healthz*</c>
/// answers 401 (API, metrics) or sends a browser to the sign-in page; each credential does what its role allows.
/// </summary>
public sealed class AuthTests : IDisposable
{
    private const string Token = "ingest-token-0123456789abcdef0123456789";

    private readonly AuthTestServer _server = new();

    public void Dispose() => _server.Dispose();

    private string TokenFile()
    {
        var path = _server.Dir.File("token");
        File.WriteAllText(path, Token + "\n");
        return path;
    }

    private static StringContent Event(string uuid, string mediaType = "application/json") =>
        new($$"""{"type": "task-received", "uuid": "{{uuid}}", "name": "shop.tasks.charge", "hostname": "w1@h", "timestamp": 1795376624.0}""", Encoding.UTF8, mediaType);

    /// <summary>Every GET route the app maps, parameters filled with sample values, plus the UI's files.</summary>
    private static List<string> EveryGetRoute(IngestFactory factory)
    {
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") ?? true)
            .Select(e => "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                _ => "x",
            })))))
            .Distinct()
            .ToList();
        routes.AddRange(["/", "/index.html", "/js/main.js"]);
        return routes;
    }

    [Fact]
    public async Task WithoutACredential_EveryRouteButHealthz_Answers401OrSendsToSignIn()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        using var anonymous = Client(factory);
        var routes = EveryGetRoute(factory);
        Assert.Contains("/api/invocations", routes);
        Assert.Contains("/metrics", routes);
        foreach (var route in routes)
        {
            using var response = await anonymous.GetAsync(route);
            if (route.StartsWith("/healthz", StringComparison.Ordinal) || route is "/signin" or "/app.css")
            {
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{route}: {response.StatusCode}");
                Assert.DoesNotContain("shop.tasks", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            else if (route.StartsWith("/api", StringComparison.Ordinal) || route.StartsWith("/flower/api", StringComparison.Ordinal) || route.StartsWith("/metrics", StringComparison.Ordinal) || route.StartsWith("/openapi", StringComparison.Ordinal))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route}: {response.StatusCode}");
                Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                Assert.Contains("credential is required", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{route}: {response.StatusCode}");
                Assert.StartsWith("/signin?return=", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            }
        }

        using var post = await anonymous.PostAsync("/api/events", Event("anon"));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task ReadCredential_ReadsButCannotPost_IngestToken_PostsButCannotRead()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()), ("Ingest:Auth:HttpIngest", "true"), ("Ingest:Auth:IngestTokenFile", TokenFile()));
        using var reader = Client(factory, Basic("sre", "correct horse"));
        using var machine = Client(factory, new AuthenticationHeaderValue("Bearer", Token));

        using (var posted = await machine.PostAsync("/api/events", Event("tok-1")))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        using (var denied = await reader.PostAsync("/api/events", Event("read-1")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("ingest token", (await denied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using (var cannotRead = await machine.GetAsync("/api/invocations"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, cannotRead.StatusCode);
        }

        // A page on another site can post text/plain without a preflight; even with the token it is refused.
        using (var crossSite = await machine.PostAsync("/api/events", Event("forged", "text/plain")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, crossSite.StatusCode);
        }

        using var read = await reader.GetAsync("/api/in-flight");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("tok-1", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("forged", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var metrics = await reader.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        using var wrong = Client(factory, Basic("sre", "wrong horse"));
        using var refused = await wrong.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var forged = Client(factory, new AuthenticationHeaderValue("Bearer", Token + "x"));
        using var forgedPost = await forged.PostAsync("/api/events", Event("forged-2"));
        Assert.Equal(HttpStatusCode.Unauthorized, forgedPost.StatusCode);
    }

    [Fact]
    public async Task SignInForm_SetsAHardenedSessionCookie_AndRefusesForeignOriginsAndOpenRedirects()
    {
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile()));
        using var client = Client(factory);
        // Issue 24: a return path to another site is refused outright (it used to be replaced by "/").
        var offSite = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "sre", ["password"] = "correct horse", ["return"] = "//evil.example/x" });
        using var refusedReturn = await client.PostAsync("/signin", offSite);
        Assert.Equal(HttpStatusCode.BadRequest, refusedReturn.StatusCode);
        Assert.False(refusedReturn.Headers.Contains("Set-Cookie"));
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "sre", ["password"] = "correct horse" });
        using var signedIn = await client.PostAsync("/signin", form);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ingest.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var shown = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal("nosniff", shown.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", shown.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", shown.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/invocations");
        api.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var listed = await client.SendAsync(api);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);

        using var bad = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "sre", ["password"] = "nope", ["return"] = "/#/search" }));
        Assert.Equal(HttpStatusCode.Redirect, bad.StatusCode);
        Assert.StartsWith("/signin?failed=1", bad.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(bad.Headers.Contains("Set-Cookie"));

        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "sre", ["password"] = "correct horse" }) };
        foreign.Headers.Add("Origin", "https://evil.example");
        using var refused = await client.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // The return path is shown escaped in the page, never as markup.
        using var escaped = await client.GetAsync("/signin?return=" + Uri.EscapeDataString("/\"><script>alert(1)</script>"));
        var html = await escaped.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    /// <summary>
    /// Password guessing is slowed per address: after 10 failures in 5 minutes the address gets 429 with
    /// Retry-After, for Basic and the form alike, even for a right password it has not shown before; a credential
    /// verified shortly before still works, and the address is let in again once the window has passed.
    /// </summary>
    [Fact]
    public async Task PasswordGuessing_IsRefusedWith429AfterTenFailures_UntilTheWindowPasses()
    {
        _server.UsersFile("sre", "correct horse");
        await using var factory = _server.Serve(("Ingest:Auth:UsersFile", _server.UsersFile("ops", "battery staple")));
        var time = (Microsoft.Extensions.Time.Testing.FakeTimeProvider)factory.Services.GetRequiredService<TimeProvider>();
        using var sre = Client(factory, Basic("sre", "correct horse"));
        Assert.Equal(HttpStatusCode.OK, (await sre.GetAsync("/api/invocations")).StatusCode);

        using var guesser = Client(factory, Basic("sre", "guess"));
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await guesser.GetAsync("/api/invocations");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await guesser.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 300);
        Assert.Contains("too many failed sign-ins", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        using var ops = Client(factory, Basic("ops", "battery staple"));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ops.GetAsync("/api/invocations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sre.GetAsync("/api/invocations")).StatusCode); // verified before: still in
        using var form = await Client(factory).PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "ops", ["password"] = "battery staple" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Contains("Too many failed sign-ins", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The exporter may answer a scrape from its short response cache: scrape until the count shows (or the deadline).
        await Wait.UntilAsync(() => System.Text.RegularExpressions.Regex.IsMatch(sre.GetStringAsync("/metrics").GetAwaiter().GetResult(),
            @"ingest_auth_refused(_attempt)?_total(\{[^}]*\})? 3\b"), "the three refusals on /metrics");

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/invocations")).StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task NothingConfigured_MakesAnAdminWithAGeneratedPassword_ReadableByItsOwnerOnly()
    {
        await using var factory = _server.Serve();
        var password = File.ReadAllText(_server.Dir.File("ingest.db.admin-password")).Trim();
        Assert.True(password.Length >= 20);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.Dir.File("ingest.db.admin-password")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.Dir.File("ingest.db.users")));
        using var admin = Client(factory, Basic("admin", password));
        using var ok = await admin.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var anonymous = Client(factory);
        using var refused = await anonymous.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task NoAuth_OpensReads_ButStillRefusesCrossSiteTextPlainPosts()
    {
        await using var factory = _server.Serve(("Ingest:Auth:Disabled", "true"), ("Ingest:Auth:HttpIngest", "true"));
        using var anonymous = Client(factory);
        using var crossSite = await anonymous.PostAsync("/api/events", Event("forged", "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, crossSite.StatusCode);
        using var form = await anonymous.PostAsync("/api/events", new FormUrlEncodedContent(new Dictionary<string, string> { ["type"] = "task-failed" }));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        using var posted = await anonymous.PostAsync("/api/events", Event("open-1"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        using var read = await anonymous.GetAsync("/api/in-flight");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.False(read.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task HttpIngest_IsOffUnlessAskedFor()
    {
        await using var factory = _server.Serve(("Ingest:Auth:Disabled", "true"));
        using var anonymous = Client(factory);
        using var posted = await anonymous.PostAsync("/api/events", Event("off-1"));
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        Assert.Contains("--http-ingest", (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthProxy_HeaderTrustedOnlyFromTheConfiguredAddresses()
    {
        await using (var trusted = _server.Serve(("Ingest:Auth:ProxyUserHeader", "X-Forwarded-User"), ("Ingest:Auth:ProxyFrom", "127.0.0.1/32,::1")))
        {
            using var viaProxy = Client(trusted);
            viaProxy.DefaultRequestHeaders.Add("X-Forwarded-User", "alice@example.com");
            using var ok = await viaProxy.GetAsync("/api/invocations");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var none = Client(trusted);
            using var refused = await none.GetAsync("/api/invocations");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await using var untrusted = _server.Serve(("Ingest:Storage:DatabasePath", _server.Dir.File("other.db")), ("Ingest:Auth:ProxyUserHeader", "X-Forwarded-User"), ("Ingest:Auth:ProxyFrom", "10.0.0.0/8"));
        using var direct = Client(untrusted);
        direct.DefaultRequestHeaders.Add("X-Forwarded-User", "mallory");
        using var spoofed = await direct.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Unauthorized, spoofed.StatusCode);
    }

    [Fact]
    public async Task Sso_BearerTokensFromTheIssuer_AllowedGroupReads_OthersRefused_UiSignInGoesToTheIssuer()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var factory = _server.Serve(("Ingest:Auth:OidcAuthority", issuer.Authority), ("Ingest:Auth:OidcClientId", "ingest-ui"), ("Ingest:Auth:OidcAllowedGroups", "sre,platform"));

        using var member = Client(factory, new AuthenticationHeaderValue("Bearer", issuer.Token("ingest-ui", "ana@example.com", ["platform"])));
        using var ok = await member.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var outsider = Client(factory, new AuthenticationHeaderValue("Bearer", issuer.Token("ingest-ui", "bob@example.com", ["sales"])));
        using var forbidden = await outsider.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        using var forger = Client(factory, new AuthenticationHeaderValue("Bearer", issuer.Token("ingest-ui", "eve@example.com", ["sre"], signWith: new Microsoft.IdentityModel.Tokens.RsaSecurityKey(otherKey))));
        using var forged = await forger.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        using var wrongAudience = Client(factory, new AuthenticationHeaderValue("Bearer", issuer.Token("another-app", "ana@example.com", ["sre"])));
        using var misdirected = await wrongAudience.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Unauthorized, misdirected.StatusCode);

        using var browser = Client(factory);
        using var sso = await browser.GetAsync("/signin/sso?return=/");
        Assert.Equal(HttpStatusCode.Redirect, sso.StatusCode);
        var location = sso.Headers.Location!.ToString();
        Assert.StartsWith(issuer.Authority + "/authorize?", location, StringComparison.Ordinal);
        Assert.Contains("client_id=ingest-ui", location, StringComparison.Ordinal);
        Assert.Contains("code_challenge=", location, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--http-ingest", "--http-ingest needs --ingest-token-file")]
    [InlineData("--auth-proxy-header=X-Forwarded-User", "--auth-proxy-header needs --auth-proxy-from")]
    [InlineData("--oidc-authority=https://id.example.com", "--oidc-authority needs --oidc-client-id")]
    [InlineData("--users-file=/nonexistent/users", "does not exist")]
    [InlineData("--session-max-hours=0", "--session-max-hours 0: a UI session lasts from 1 to 8760 hours")]
    public async Task AnIncompleteSetup_StopsTheStartWithOneLine(string flag, string message)
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await TestCli.RunAsync(["serve", "--db", _server.Dir.File("cli.db"), "--urls", "http://127.0.0.1:0", flag]));
        }
        finally
        {
            Console.SetError(saved);
        }

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }
}

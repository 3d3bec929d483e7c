using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Security;
using Ingest.Accounting;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Endpoints.Flower;

/// <summary>
/// Issue 27: on every control route, no credential is 401, a reader 403 with the reason, a controller 200; another
/// site's form post and a UI session without its anti-forgery token are refused, and nothing reaches the fleet.
/// </summary>
public sealed class ControlAccessTests(ControlHostFixture host) : IClassFixture<ControlHostFixture>
{
    [Theory]
    [MemberData(nameof(ControlRoutes.All), MemberType = typeof(ControlRoutes))]
    public async Task ControlRoute_NoCredentialIs401_ReaderIs403WithTheReason_AndNeitherSendsAnything_Issue27(string path, string? json)
    {
        using var anonymous = host.Anonymous();
        using var reader = host.As(ControlHostFixture.Reader);
        var sent = Sent();

        using var unauthenticated = await anonymous.SendAsync(ControlRoutes.Post(path, json));
        using var forbidden = await reader.SendAsync(ControlRoutes.Post(path, json));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (unauthenticated.StatusCode, forbidden.StatusCode));
        Assert.Contains("Basic", unauthenticated.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("--control-users", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(sent, Sent());
    }

    [Theory]
    [MemberData(nameof(ControlRoutes.All), MemberType = typeof(ControlRoutes))]
    public async Task ControlRoute_Controller_Is200AndReachesTheFleet_Issue27(string path, string? json)
    {
        using var client = host.As(ControlHostFixture.Controller);
        var sent = Sent();

        using var response = await client.SendAsync(ControlRoutes.Post(path, json));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sent + 1, Sent());
    }

    [Theory]
    [MemberData(nameof(ControlRoutes.All), MemberType = typeof(ControlRoutes))]
    public async Task ControlRoute_CrossSiteFormPostWithTheControllersSession_IsRefused_Issue27(string path, string? json)
    {
        _ = json;
        using var client = host.Anonymous();
        var cookie = await AuthTestServer.SignInAsync(client, ControlHostFixture.Controller, ControlHostFixture.Password);
        var sent = Sent();
        // What a page elsewhere makes a browser send: a form post, its own origin, the cookie if the browser attaches it.
        using var request = AuthTestServer.WithCookie(HttpMethod.Post, path, cookie, ("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site"));
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["terminate"] = "true" });

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(sent, Sent());
    }

    [Theory]
    [MemberData(nameof(ControlRoutes.All), MemberType = typeof(ControlRoutes))]
    public async Task ControlRoute_UiSession_NeedsTheAntiforgeryTokenFromApiMe_Issue27(string path, string? json)
    {
        using var client = host.Anonymous();
        var session = await AuthTestServer.SignInAsync(client, ControlHostFixture.Controller, ControlHostFixture.Password);
        var sent = Sent();

        using (var bare = AuthTestServer.WithCookie(HttpMethod.Post, path, session))
        {
            bare.Content = ControlRoutes.Post(path, json).Content;
            using var refused = await client.SendAsync(bare);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("X-Ingest-Antiforgery", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (token, cookies) = await TokenAsync(client, session);
        using var signed = AuthTestServer.WithCookie(HttpMethod.Post, path, cookies, ("X-Ingest-Antiforgery", token), ("Origin", client.BaseAddress!.GetLeftPart(UriPartial.Authority)));
        signed.Content = ControlRoutes.Post(path, json).Content;
        using var accepted = await client.SendAsync(signed);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(sent + 1, Sent());
    }

    [Fact]
    public async Task ApiMe_TellsWhoMayControl_AndGivesATokenToUiSessionsOnly_Issue27()
    {
        using var reader = host.As(ControlHostFixture.Reader);
        using var controller = host.As(ControlHostFixture.Controller);

        var readerMe = await reader.GetFromJsonAsync<JsonElement>("/api/me");
        var controllerMe = await controller.GetFromJsonAsync<JsonElement>("/api/me");
        using var browser = host.Anonymous();
        var (token, _) = await TokenAsync(browser, await AuthTestServer.SignInAsync(browser, ControlHostFixture.Reader, ControlHostFixture.Password));

        Assert.False(readerMe.GetProperty("can_control").GetBoolean());
        Assert.True(controllerMe.GetProperty("can_control").GetBoolean());
        Assert.Equal(JsonValueKind.Null, controllerMe.GetProperty("antiforgery_token").ValueKind);
        Assert.NotEmpty(token);
    }

    [Fact]
    public async Task Shutdown_WithoutAllowShutdown_Is403BeforeAnythingIsSent_Issue27()
    {
        using var other = new AuthTestServer();
        var users = other.UsersFile(ControlHostFixture.Controller, ControlHostFixture.Password);
        // No fleet at all: a refusal that came from sending would be a 503, not this 403.
        using var factory = other.Serve(("Ingest:Auth:UsersFile", users), ("Ingest:Auth:ControlUsers", ControlHostFixture.Controller));
        factory.Services.GetRequiredService<WorkerRegistry>().Apply(new CeleryEvent { Type = CeleryEventType.WorkerOnline, Hostname = ControlHostFixture.Worker2, Timestamp = 1 });
        using var client = AuthTestServer.Client(factory, ControlHostFixture.BasicOf(ControlHostFixture.Controller));

        using var response = await client.PostAsync("/flower/api/worker/shutdown/celery@worker2", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("--allow-shutdown", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private int Sent() => host.Fleet.Requests.Count + host.Publisher.Published.Count;

    /// <summary>The session's anti-forgery token from /api/me, and the cookies to send with it (the session's and the token's pair).</summary>
    private static async Task<(string Token, string Cookies)> TokenAsync(HttpClient client, string session)
    {
        using var request = AuthTestServer.WithCookie(HttpMethod.Get, "/api/me", session);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        var pair = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ingest.antiforgery=", StringComparison.Ordinal)).Split(';')[0];
        return (me.GetProperty("antiforgery_token").GetString()!, $"{session}; {pair}");
    }
}

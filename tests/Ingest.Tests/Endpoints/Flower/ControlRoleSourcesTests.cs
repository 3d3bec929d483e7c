using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints.Flower;

/// <summary>
/// Issue 27: the control role comes from the SSO groups (<c>--oidc-control-groups</c>) and from the authenticating
/// proxy's user header (<c>--control-users</c> naming the user it sends) as it does for users of the users file: on
/// every control route no credential is 401, a reader 403 with the reason, a controller 200.
/// </summary>
public sealed class ControlRoleSourcesTests
{
    private const string ProxyHeader = "X-Forwarded-User";

    [Fact]
    public async Task ControlRoute_OidcControlGroupMember_Is200_OtherGroupsAre403_NoTokenIs401_Issue27()
    {
        await using var issuer = await TestIssuer.StartAsync();
        using var host = new ControlHostFixture(("Ingest:Auth:OidcAuthority", issuer.Authority), ("Ingest:Auth:OidcClientId", "ingest-ui"),
            ("Ingest:Auth:OidcAllowedGroups", "sre"), ("Ingest:Auth:OidcControlGroups", "fleet-ops"));
        using var controller = Client(host, new AuthenticationHeaderValue("Bearer", issuer.Token("ingest-ui", "ana@example.com", ["fleet-ops"])));
        using var reader = Client(host, new AuthenticationHeaderValue("Bearer", issuer.Token("ingest-ui", "bob@example.com", ["sre"])));

        await AssertRolesAsync(host, host.Anonymous(), reader, controller);
    }

    [Fact]
    public async Task ControlRoute_ProxyUserInControlUsers_Is200_OtherProxyUsersAre403_NoHeaderIs401_Issue27()
    {
        using var host = new ControlHostFixture(("Ingest:Auth:ProxyUserHeader", ProxyHeader), ("Ingest:Auth:ProxyFrom", "127.0.0.1/32,::1/128"),
            ("Ingest:Auth:ControlUsers", $"{ControlHostFixture.Controller},ops"));
        using var controller = Client(host);
        controller.DefaultRequestHeaders.Add(ProxyHeader, "ops");
        using var reader = Client(host);
        reader.DefaultRequestHeaders.Add(ProxyHeader, "viewer");

        await AssertRolesAsync(host, host.Anonymous(), reader, controller);
    }

    private static HttpClient Client(ControlHostFixture host, AuthenticationHeaderValue? auth = null)
    {
        var client = host.Anonymous();
        client.DefaultRequestHeaders.Authorization = auth;
        return client;
    }

    /// <summary>Every control route: 401, 403 with the reason, 200 that reaches the fleet; /api/me tells the controller only.</summary>
    private static async Task AssertRolesAsync(ControlHostFixture host, HttpClient anonymous, HttpClient reader, HttpClient controller)
    {
        using (anonymous)
        {
            Assert.True((await controller.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("can_control").GetBoolean());
            Assert.False((await reader.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("can_control").GetBoolean());
            foreach (var route in ControlRoutes.All)
            {
                var (path, json) = ((string)route[0], (string?)route[1]);
                var sent = host.Fleet.Requests.Count + host.Publisher.Published.Count;
                using var unauthenticated = await anonymous.SendAsync(ControlRoutes.Post(path, json));
                using var forbidden = await reader.SendAsync(ControlRoutes.Post(path, json));
                Assert.Equal(sent, host.Fleet.Requests.Count + host.Publisher.Published.Count);
                using var allowed = await controller.SendAsync(ControlRoutes.Post(path, json));

                Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.OK), (unauthenticated.StatusCode, forbidden.StatusCode, allowed.StatusCode));
                Assert.Contains("--oidc-control-groups", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
                Assert.Equal(sent + 1, host.Fleet.Requests.Count + host.Publisher.Published.Count);
            }
        }
    }
}

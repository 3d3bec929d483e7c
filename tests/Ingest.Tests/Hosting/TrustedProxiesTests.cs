using System.Net;
using Ingest.Tests.Support;

namespace Ingest.Tests.Hosting;

/// <summary>
/// Behind an ingress that terminates TLS the request's scheme was http, so the sign-in form's
/// <c>Origin: https://...</c> never matched and every sign-in answered 403; the proxy's X-Forwarded-Proto is now
/// believed from trusted addresses (loopback by default, <c>--trusted-proxies</c> otherwise).
/// </summary>
public class TrustedProxiesTests
{
    [Fact]
    public async Task SignIn_BehindATlsProxyOnLoopback_IsTheBrowsersHttpsOrigin_AndTheCookieIsSecure()
    {
        using var dir = new TempDirectory();
        await using var serve = await StartAsync(dir);

        using var behindProxy = await SignInAsync(serve, dir, forwardedProto: "https");
        using var withoutHeader = await SignInAsync(serve, dir, forwardedProto: null);

        Assert.Equal(HttpStatusCode.Redirect, behindProxy.StatusCode);
        Assert.Contains(behindProxy.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.Forbidden, withoutHeader.StatusCode); // an https Origin on an http request: another site
    }

    [Fact]
    public async Task SignIn_ProxyNotInTrustedProxies_ItsHeaderIsIgnored()
    {
        using var dir = new TempDirectory();
        await using var serve = await StartAsync(dir, "--trusted-proxies", "10.9.0.0/16");

        using var fromLoopback = await SignInAsync(serve, dir, forwardedProto: "https");

        Assert.Equal(HttpStatusCode.Forbidden, fromLoopback.StatusCode);
    }

    [Fact]
    public async Task Serve_BadTrustedProxy_OneLineAndExitTwo()
    {
        using var dir = new TempDirectory();
        await using var serve = IngestProcess.Start("serve", "--db", dir.File("x.db"), "--trusted-proxies", "10.0.0.0/8,ingress");

        Assert.Equal(2, await serve.WaitForExitAsync());
        Assert.Contains("--trusted-proxies, environment Ingest__Http__TrustedProxies): 'ingress' is not an address or a CIDR range", serve.Output, StringComparison.Ordinal);
    }

    private static async Task<IngestProcess> StartAsync(TempDirectory dir, params string[] extra)
    {
        var serve = IngestProcess.Start(new Dictionary<string, string> { ["Ingest__Auth__Disabled"] = "false", ["Ingest__Auth__HttpIngest"] = "false" }, ["serve", "--db", dir.File("x.db"), .. extra]);
        await serve.WaitReadyAsync();
        return serve;
    }

    private static async Task<HttpResponseMessage> SignInAsync(IngestProcess serve, TempDirectory dir, string? forwardedProto)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{serve.Port}/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = "admin", ["password"] = (await File.ReadAllTextAsync(dir.File("x.db.admin-password"))).Trim(), ["return"] = "/",
            }),
        };
        request.Headers.Add("Origin", $"https://127.0.0.1:{serve.Port}");
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        return await client.SendAsync(request);
    }
}

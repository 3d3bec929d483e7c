using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Ingest.Tests.Support;

namespace Ingest.Tests.Security;

/// <summary>
/// The host with access control on, through a real Kestrel port, for the tests of access control: a temp folder,
/// users files made by Apache's htpasswd, clients that neither follow redirects nor keep cookies (each test shows
/// the cookie it sends), and the form sign-in.
/// </summary>
internal sealed class AuthTestServer : IDisposable
{
    public const string Htpasswd = "/usr/bin/htpasswd";

    public TempDirectory Dir { get; } = new();

    public void Dispose() => Dir.Dispose();

    /// <summary>Adds the user to the users file (or changes the password of one already there), as operators do.</summary>
    public string UsersFile(string user = "sre", string password = "correct horse")
    {
        Assert.True(File.Exists(Htpasswd), $"{Htpasswd} is missing: run scripts/test, which installs Debian's apache2-utils");
        var path = Dir.File("users");
        // The file exactly as operators make it: Apache's htpasswd, bcrypt ($2y$).
        var start = new ProcessStartInfo(Htpasswd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-B", "-b", File.Exists(path) ? "" : "-c", path, user, password }.Where(a => a.Length > 0))
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Contains(File.ReadAllLines(path), l => l.StartsWith($"{user}:$2y$", StringComparison.Ordinal));
        return path;
    }

    public IngestFactory Serve(params (string Key, string? Value)[] settings)
    {
        var factory = new IngestFactory(Dir.File("ingest.db")).With("Ingest:Auth:Disabled", "false").With("Ingest:Auth:HttpIngest", "false");
        foreach (var (key, value) in settings)
        {
            factory.With(key, value);
        }

        // A port chosen here: with port 0 the factory's base address kept ":0" on some starts.
        factory.UseKestrel(IngestProcess.FreePort());
        factory.StartServer();
        return factory;
    }

    public static HttpClient Client(IngestFactory factory, AuthenticationHeaderValue? auth = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = factory.ClientOptions.BaseAddress, DefaultRequestHeaders = { Authorization = auth } };

    public static AuthenticationHeaderValue Basic(string user, string password) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Signs in with the form; returns the session cookie as a request sends it (<c>ingest.session=...</c>).</summary>
    public static async Task<string> SignInAsync(HttpClient client, string user = "sre", string password = "correct horse")
    {
        using var signedIn = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = user, ["password"] = password }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signedIn.StatusCode);
        return SessionCookie(signedIn) ?? throw new Xunit.Sdk.XunitException("the sign-in set no session cookie");
    }

    /// <summary>The session cookie a response sets, as the next request sends it; null when it sets none.</summary>
    public static string? SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.StartsWith("ingest.session=", StringComparison.Ordinal)).Select(c => c.Split(';')[0]).LastOrDefault()
            : null;

    /// <summary>A request carrying the cookie, and any headers given.</summary>
    public static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }
}

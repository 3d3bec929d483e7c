using Ingest.Security;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Security;

public sealed class SignInPageHtmlTests
{
    private const string Hostile = "/\"><script>alert(1)</script>";

    [Fact]
    public void Render_AHostileReturnPath_IsEncodedInTheFormAndTheSsoLink()
    {
        using var dir = new TempDirectory();
        var users = dir.File("users");
        File.WriteAllText(users, $"sre:{BCrypt.Net.BCrypt.HashPassword("pass", 4)}\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var options = new AuthOptions { OidcAuthority = "https://id.example.com", OidcClientId = "ingest-ui", OidcAllowedGroups = "sre" };
        var settings = new AuthSettings(options, new HtpasswdUsers(users, time), null, time);

        var html = SignInPageHtml.Render(settings, Hostile, "1");

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\"><", html, StringComparison.Ordinal);
        Assert.Contains("name=\"return\" value=\"/&quot;&gt;&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/signin/sso?return=%2F%22%3E%3Cscript%3E", html, StringComparison.Ordinal);
        Assert.Contains("Wrong user or password.", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("sso", true)]
    [InlineData("throttled", true)]
    public void Render_TheFailedParameter_ShowsAnAlertOnlyWhenSet(string? failed, bool alert)
    {
        var settings = new AuthSettings(new AuthOptions(), null, null, new FakeTimeProvider());

        var html = SignInPageHtml.Render(settings, "/", failed);

        Assert.Equal(alert, html.Contains("role=\"alert\"", StringComparison.Ordinal));
    }
}

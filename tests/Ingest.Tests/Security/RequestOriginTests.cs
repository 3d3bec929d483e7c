using Ingest.Security;
using Microsoft.AspNetCore.Http;

namespace Ingest.Tests.Security;

/// <summary>The one origin check of the sign-in form (refuses another origin) and sign-out (needs this one, issue 24).</summary>
public sealed class RequestOriginTests
{
    private static HttpRequest Request(params string[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("ingest.example:8080");
        for (var i = 0; i < headers.Length; i += 2)
        {
            context.Request.Headers[headers[i]] = headers[i + 1];
        }

        return context.Request;
    }

    [Theory]
    [InlineData("Origin", "http://ingest.example:8080", true)]
    [InlineData("Origin", "HTTP://Ingest.Example:8080", true)]
    [InlineData("Sec-Fetch-Site", "same-origin", true)]
    [InlineData("Referer", "http://ingest.example:8080/#/failures", true)]
    [InlineData("Origin", "https://ingest.example:8080", false)]
    [InlineData("Origin", "http://ingest.example", false)]
    [InlineData("Origin", "http://evil.example:8080", false)]
    [InlineData("Origin", "null", false)]
    [InlineData("Sec-Fetch-Site", "same-site", false)]
    [InlineData("Sec-Fetch-Site", "cross-site", false)]
    [InlineData("Sec-Fetch-Site", "none", false)]
    [InlineData("Referer", "http://ingest.example:8080.evil.example/", false)]
    [InlineData("Referer", "not a url", false)]
    public void OneHeader_NamingThisOrigin_IsFromHere_AnyOther_IsFromElsewhere(string name, string value, bool fromHere)
    {
        Assert.Equal(fromHere, RequestOrigin.IsFromHere(Request(name, value)));
        Assert.Equal(!fromHere, RequestOrigin.IsFromElsewhere(Request(name, value)));
    }

    [Fact]
    public void OneHeaderFromElsewhere_Outweighs_OthersFromHere()
    {
        var request = Request("Sec-Fetch-Site", "same-origin", "Origin", "http://ingest.example:8080", "Referer", "https://evil.example/");
        Assert.True(RequestOrigin.IsFromElsewhere(request));
        Assert.False(RequestOrigin.IsFromHere(request));
    }

    [Fact]
    public void NoHeaderAtAll_IsNeither_SoSignInTakesIt_AndSignOutDoesNot()
    {
        Assert.False(RequestOrigin.IsFromElsewhere(Request()));
        Assert.False(RequestOrigin.IsFromHere(Request()));
    }
}

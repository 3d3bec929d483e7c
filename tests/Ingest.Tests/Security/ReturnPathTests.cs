using Ingest.Security;

namespace Ingest.Tests.Security;

/// <summary>Issue 24: the one check of the sign-in's return path, over hostile values and the paths the UI uses.</summary>
public sealed class ReturnPathTests
{
    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r/evil.example")]
    [InlineData("/\u007f/evil.example")]
    [InlineData("/\0")]
    [InlineData("/%09/evil.example")]
    [InlineData("/%0a/evil.example")]
    [InlineData("/%0D%0A/evil.example")]
    [InlineData("/x%0d%0aSet-Cookie:%20a=b")]
    [InlineData("/%2509/evil.example")]
    [InlineData("/%7F")]
    [InlineData("/\\evil.example")]
    [InlineData("/a\\b")]
    [InlineData("//evil.example")]
    [InlineData("///evil.example")]
    [InlineData("/%2F/evil.example")]
    [InlineData("/%2f%2fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("http:evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.example")]
    [InlineData(" /")]
    [InlineData("/é")]
    public void TryRead_AHostileValue_IsRefused_Issue24(string value)
    {
        Assert.False(ReturnPath.TryRead(value, out var path));
        Assert.Equal(ReturnPath.StartPage, path);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/#/search?q=order_id%3D12345")]
    [InlineData("/#/task/shop.tasks.charge")]
    [InlineData("/#/task/a%2Fb")]
    [InlineData("/index.html?x=1&y=%C3%A9")]
    [InlineData("/\"><script>alert(1)</script>")]
    public void TryRead_APathOnThisSite_IsKeptAsGiven(string value)
    {
        Assert.True(ReturnPath.TryRead(value, out var path));
        Assert.Equal(value, path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void TryRead_Nothing_IsTheStartPage(string? value)
    {
        Assert.True(ReturnPath.TryRead(value, out var path));
        Assert.Equal("/", path);
    }
}

using Ingest.Storage.ClickHouse;

namespace Ingest.Storage.Tests.ClickHouse;

public sealed class ClickHouseEndpointTests
{
    [Theory]
    [InlineData("http://ch:8123/events", "http://ch:8123/", "default", "events")]
    [InlineData("http://ingest@ch/events", "http://ch:8123/", "ingest", "events")]
    [InlineData("https://ingest@ch.example/events", "https://ch.example:8443/", "ingest", "events")]
    [InlineData("https://ch.example:443/", "https://ch.example/", "default", "ingest")]
    [InlineData("http://10.0.0.5:18123", "http://10.0.0.5:18123/", "default", "ingest")]
    public void Parse_Url_GivesAddressUserAndDatabase(string url, string address, string user, string database)
    {
        var endpoint = ClickHouseEndpoint.Parse(url);

        Assert.Equal(new Uri(address), endpoint.BaseAddress);
        Assert.Equal(user, endpoint.User);
        Assert.Equal(database, endpoint.Database);
    }

    [Theory]
    [InlineData("ftp://ch/db")]
    [InlineData("http://u:pw@ch/db")]
    [InlineData("http://ch/db;DROP")]
    [InlineData("http://ch/a/b")]
    [InlineData("http://ch/db?x=1")]
    [InlineData("ch:8123/db")]
    public void Parse_BadUrl_IsRefusedWithTheReason(string url) =>
        Assert.Throws<FormatException>(() => ClickHouseEndpoint.Parse(url));

    [Fact]
    public void Parse_ClusterThatIsNotAPlainName_IsRefused() =>
        Assert.Throws<FormatException>(() => ClickHouseEndpoint.Parse("http://ch/db", cluster: "c' --"));

    [Fact]
    public void ToString_NeverShowsThePassword() =>
        Assert.DoesNotContain("pw", ClickHouseEndpoint.Parse("http://u@ch/db", password: "pw").ToString(), StringComparison.Ordinal);
}

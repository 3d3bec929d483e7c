using Ingest.Hosting;
using Ingest.Storage.ClickHouse;

namespace Ingest.Tests.Hosting;

public sealed class ClickHouseOptionsValidatorTests
{
    private readonly ClickHouseOptionsValidator _validator = new();

    [Fact]
    public void Validate_NoUrl_IsSqliteAndValid() =>
        Assert.True(_validator.Validate(null, new ClickHouseOptions()).Succeeded);

    [Fact]
    public void Validate_ClusterWithoutUrl_FailsNamingTheOption_Issue26() =>
        Assert.Contains("--clickhouse URL", _validator.Validate(null, new ClickHouseOptions { Cluster = "ingest" }).FailureMessage, StringComparison.Ordinal);

    [Theory]
    [InlineData("ftp://ch/db")]
    [InlineData("http://u:secret@ch/db")]
    [InlineData("http://ch/db-name")]
    public void Validate_BadUrl_Fails_Issue26(string url) =>
        Assert.False(_validator.Validate(null, new ClickHouseOptions { Url = url }).Succeeded);

    [Fact]
    public void Validate_MissingPasswordFile_Fails_Issue26() =>
        Assert.False(_validator.Validate(null, new ClickHouseOptions { Url = "http://ch/db", PasswordFile = "/nonexistent/pw" }).Succeeded);

    [Fact]
    public void Validate_GoodUrlAndCluster_Succeeds() =>
        Assert.True(_validator.Validate(null, new ClickHouseOptions { Url = "https://ingest@ch:8443/events", Cluster = "ingest" }).Succeeded);
}

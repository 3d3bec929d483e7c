using Ingest.Storage.ClickHouse;

namespace Ingest.Tests.Support;

/// <summary>The suite's private ClickHouse (INGEST_TEST_CLICKHOUSE_URL, started by scripts/test), a database per test.</summary>
public static class TestClickHouse
{
    /// <summary>An endpoint on a fresh database name (not created: the store creates what is missing); no server fails, never skips.</summary>
    public static ClickHouseEndpoint FreshEndpoint() => ClickHouseEndpoint.Parse(
        (Environment.GetEnvironmentVariable("INGEST_TEST_CLICKHOUSE_URL")
         ?? throw new InvalidOperationException("No ClickHouse: INGEST_TEST_CLICKHOUSE_URL is set by scripts/test, which starts a private clickhouse-server. Run the tests with scripts/test.")).TrimEnd('/')
        + "/t_" + Guid.NewGuid().ToString("N")[..16]);

    /// <summary>Drops the endpoint's database, if any.</summary>
    public static void Drop(ClickHouseEndpoint endpoint)
    {
        using var client = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        client.QueryServer($"DROP DATABASE IF EXISTS {endpoint.Database}");
    }
}

using Ingest.Storage.ClickHouse;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// The suite's private ClickHouse (INGEST_TEST_CLICKHOUSE_URL, started by scripts/test), and a database of its own
/// for each caller, so tests running side by side never see each other's tables.
/// </summary>
internal static class ClickHouseTestServer
{
    /// <summary>The server's URL, without a database; a test without one fails, it does not skip.</summary>
    public static string Url =>
        Environment.GetEnvironmentVariable("INGEST_TEST_CLICKHOUSE_URL")
        ?? throw new InvalidOperationException("No ClickHouse: INGEST_TEST_CLICKHOUSE_URL is set by scripts/test, which starts a private clickhouse-server. Run the tests with scripts/test.");

    /// <summary>An endpoint on a fresh database name (not created: the store creates what is missing).</summary>
    public static ClickHouseEndpoint FreshEndpoint(string? cluster = null, string? url = null) =>
        ClickHouseEndpoint.Parse((url ?? Url).TrimEnd('/') + "/t_" + Guid.NewGuid().ToString("N")[..16], cluster: cluster);

    /// <summary>A client on a fresh database, created.</summary>
    public static ClickHouseClient FreshClient(TimeSpan? timeout = null)
    {
        var client = new ClickHouseClient(FreshEndpoint(), timeout ?? TimeSpan.FromSeconds(30));
        client.QueryServer($"CREATE DATABASE IF NOT EXISTS {client.Endpoint.Database}");
        return client;
    }
}

using Ingest.Storage.ClickHouse;

namespace Ingest.Tests.ClickHouse;

/// <summary>
/// A database of its own on the suite's private ClickHouse (INGEST_TEST_CLICKHOUSE_URL, started by scripts/test),
/// created by the first instance that opens it and dropped on dispose. A test without a server fails, never skips.
/// </summary>
internal sealed class ClickHouseTestDatabase : IDisposable
{
    public ClickHouseEndpoint Endpoint { get; } = ClickHouseEndpoint.Parse(
        (Environment.GetEnvironmentVariable("INGEST_TEST_CLICKHOUSE_URL")
         ?? throw new InvalidOperationException("No ClickHouse: INGEST_TEST_CLICKHOUSE_URL is set by scripts/test, which starts a private clickhouse-server. Run the tests with scripts/test.")).TrimEnd('/')
        + "/t_" + Guid.NewGuid().ToString("N")[..16]);

    /// <summary>The <c>--clickhouse</c> value of this database.</summary>
    public string Url => Endpoint.BaseAddress + Endpoint.Database;

    public void Dispose()
    {
        using var store = new ClickHouseClient(Endpoint, TimeSpan.FromSeconds(30));
        store.QueryServer($"DROP DATABASE IF EXISTS {Endpoint.Database}");
    }
}

using Ingest.Storage.ClickHouse;
using Ingest.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary><c>db info --clickhouse</c>'s figures: the schema version and each table's day partitions, from metadata.</summary>
public sealed class ClickHouseStoreInfoTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_AStoreWithTwoDays_GivesEachDaysRowsAndBytes_AndTheSchemaVersion_Issue26()
    {
        var endpoint = ClickHouseTestServer.FreshEndpoint();
        using (var writer = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30)), "a", new FakeTimeProvider(s_now)))
        {
            writer.WriteBatch([
                Records.Finished("a1", TaskStates.Success, Records.At(2026, 12, 4), kwargs: "{'order_id': 1}"),
                Records.Finished("b1", TaskStates.Success, Records.At(2026, 12, 5)),
                Records.Finished("b2", TaskStates.Failure, Records.At(2026, 12, 5)),
            ]);
        }

        using var client = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        var info = ClickHouseStoreInfo.Read(client);

        Assert.Equal(ClickHouseMigrator.LatestVersion, info.SchemaVersion);
        Assert.EndsWith("/" + endpoint.Database, info.Store, StringComparison.Ordinal);
        var invocations = info.Partitions.Where(p => p.Table == "invocations").ToDictionary(p => ClickHouseStoreInfo.DayOf(p.Partition)!.Value, p => p.Rows);
        Assert.Equal(new Dictionary<DateOnly, long> { [new(2026, 12, 5)] = 2, [new(2026, 12, 4)] = 1 }, invocations);
        Assert.Contains(info.Partitions, p => p.Table == "details" && p.Bytes > 0);
        Assert.True(info.BytesPerInvocation > 0);
    }

    [Fact]
    public void Read_ADatabaseIngestNeverWrote_IsVersionZeroWithNoPartitions_Issue26()
    {
        using var client = new ClickHouseClient(ClickHouseTestServer.FreshEndpoint(), TimeSpan.FromSeconds(30));

        var info = ClickHouseStoreInfo.Read(client);

        Assert.Equal(0, info.SchemaVersion);
        Assert.Empty(info.Partitions);
        Assert.Null(info.BytesPerInvocation);
    }
}

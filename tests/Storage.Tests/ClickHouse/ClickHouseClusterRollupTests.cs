using Ingest.Storage.ClickHouse;
using Ingest.Storage.Retention;
using Ingest.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// Migration 2 under <c>--clickhouse-cluster</c> on two real shards: the rollup tables, the failures' Null table and
/// its view created on every node, deltas spread over both shards through the Distributed tables, figures added up
/// across shards from either one, and retention dropping rollup days on both.
/// </summary>
public sealed class ClickHouseClusterRollupTests(ClickHouseClusterFixture cluster) : IClassFixture<ClickHouseClusterFixture>
{
    [Fact]
    public void RollupsThroughDistributed_AddUpAcrossShardsFromEither_AndDropWithTheirDay_Issue26()
    {
        var endpoint = ClickHouseTestServer.FreshEndpoint(cluster.Cluster, cluster.FirstShard);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var writer = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(60)), "a", time);
        var at = Records.At(2026, 12, 5, 10);
        // Forty names, so the name-sharded rows land on both shards.
        writer.WriteBatch([.. Enumerable.Range(0, 40).Select(i => Records.Finished($"task-{i}", i % 4 == 0 ? TaskStates.Failure : TaskStates.Success, at + i, name: $"shop.t{i}"))]);

        using var first = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        using var second = new ClickHouseClient(endpoint with { BaseAddress = new Uri(cluster.SecondShard) }, TimeSpan.FromSeconds(30));
        long Local(ClickHouseClient client) =>
            long.Parse(client.Query($"SELECT count() FROM {endpoint.Database}.group_hours_local FORMAT TabSeparated"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Local(first) > 0 && Local(second) > 0, $"rollup rows per shard: {Local(first)} + {Local(second)}");

        var (from, to) = (Records.At(2026, 12, 5, 0), Records.At(2026, 12, 6, 0));
        foreach (var client in new[] { first, second })
        {
            Assert.Equal(40, new ClickHouseRollupReader(client).TaskHours(from, to).Sum(r => r.Total));
            Assert.Equal(40, new ClickHouseRollupRanks(client).TopTasks(from, to, null, null, 100).Total);
            Assert.Equal(10, new ClickHouseRollupRanks(client).Failures(from, to, null, null, null, 100).Items.Sum(f => f.Count));
        }

        time.Advance(TimeSpan.FromDays(10));
        Assert.NotNull(writer.DropStep(new RetentionOptions { Days = 7 }));
        Assert.Empty(new ClickHouseRollupReader(second).TaskHours(from, to));
        Assert.Empty(new ClickHouseRollupReader(first).FailureHours(from, to));
        first.QueryServer($"DROP DATABASE IF EXISTS {endpoint.Database} ON CLUSTER {cluster.Cluster}");
    }
}

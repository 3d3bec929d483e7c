using Ingest.Storage.ClickHouse;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// <c>--clickhouse-cluster</c> on two real shards: tables created ON CLUSTER (replicated, per shard) with a
/// Distributed table over them; rows spread over both shards; reads through either shard merge every task right;
/// retention drops a day on both.
/// </summary>
public sealed class ClickHouseClusterTests(ClickHouseClusterFixture cluster) : IClassFixture<ClickHouseClusterFixture>
{
    [Fact]
    public void WriteThroughDistributed_RowsSpreadOverBothShardsAndReadBackMergedFromEither_Issue26()
    {
        var endpoint = ClickHouseTestServer.FreshEndpoint(cluster.Cluster, cluster.FirstShard);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var writer = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(60)), "a", time);
        using var secondWriter = new ClickHouseStoreWriter(new ClickHouseClient(endpoint with { BaseAddress = new Uri(cluster.SecondShard) }, TimeSpan.FromSeconds(60)), "b", time);
        var at = Records.At(2026, 12, 5);
        var records = Enumerable.Range(0, 40).Select(i => Records.Finished($"task-{i}", TaskStates.Success, at + i)).ToArray();
        writer.WriteBatch(records);
        // The other instance, on the other shard, saw only the start of task-0: the merge must still read SUCCESS.
        secondWriter.WriteBatch([new InvocationRecord { TaskId = "task-0", State = TaskStates.Started, StateAt = at - 10, Queue = "orders" }]);

        using var first = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        using var second = new ClickHouseClient(endpoint with { BaseAddress = new Uri(cluster.SecondShard) }, TimeSpan.FromSeconds(30));
        var onFirst = long.Parse(first.Query($"SELECT count() FROM {endpoint.Database}.invocations_local FORMAT TabSeparated"), System.Globalization.CultureInfo.InvariantCulture);
        var onSecond = long.Parse(second.Query($"SELECT count() FROM {endpoint.Database}.invocations_local FORMAT TabSeparated"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(onFirst > 0 && onSecond > 0, $"rows per shard: {onFirst} + {onSecond}");
        Assert.Equal(41, onFirst + onSecond);

        foreach (var client in new[] { first, second })
        {
            var reader = new ClickHouseInvocationReader(client);
            var merged = reader.Get("task-0")!;
            Assert.Equal((TaskStates.Success, "orders", "shop.process_order"), (merged.State, merged.Queue, merged.Name));
            Assert.Equal(40, reader.List(new InvocationQuery { Limit = 100 }).Items.Count);
        }

        time.Advance(TimeSpan.FromDays(10));
        Assert.NotNull(writer.DropStep(new RetentionOptions { Days = 7 }));
        Assert.Equal("0\n", second.Query($"SELECT count() FROM {endpoint.Database}.invocations FORMAT TabSeparated"));
        first.QueryServer($"DROP DATABASE IF EXISTS {endpoint.Database} ON CLUSTER {cluster.Cluster}");
    }

    [Fact]
    public void Search_TermsOnBothShards_FindsEveryMatchThroughEitherShard_Issue26()
    {
        var endpoint = ClickHouseTestServer.FreshEndpoint(cluster.Cluster, cluster.FirstShard);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var writer = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(60)), "a", time);
        var at = Records.At(2026, 12, 5);
        // Every third task holds the order id; the text of task-0 is written by the other instance through the other shard.
        writer.WriteBatch(Enumerable.Range(1, 30).Select(i => Records.Finished($"task-{i}", TaskStates.Success, at - i, kwargs: i % 3 == 0 ? "{'order_id': 12345}" : "{'order_id': 7}")).ToArray());
        using (var secondWriter = new ClickHouseStoreWriter(new ClickHouseClient(endpoint with { BaseAddress = new Uri(cluster.SecondShard) }, TimeSpan.FromSeconds(60)), "b", time))
        {
            secondWriter.WriteBatch([new InvocationRecord { TaskId = "task-0", State = TaskStates.Received, StateAt = at - 100, Kwargs = "{'order_id': 12345}" }]);
        }

        writer.WriteBatch([Records.Finished("task-0", TaskStates.Success, at) with { Kwargs = null }]);
        using var first = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        using var second = new ClickHouseClient(endpoint with { BaseAddress = new Uri(cluster.SecondShard) }, TimeSpan.FromSeconds(30));
        var onFirst = long.Parse(first.Query($"SELECT count() FROM {endpoint.Database}.term_hashes_local FORMAT TabSeparated"), System.Globalization.CultureInfo.InvariantCulture);
        var onSecond = long.Parse(second.Query($"SELECT count() FROM {endpoint.Database}.term_hashes_local FORMAT TabSeparated"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(onFirst > 0 && onSecond > 0, $"terms per shard: {onFirst} + {onSecond}");
        // A hashed term's ids are on its own shard: the reader's per-shard subqueries never need another shard's.
        foreach (var shard in new[] { first, second })
        {
            Assert.Equal("0\n", shard.Query($"SELECT count() FROM {endpoint.Database}.term_hashes_local WHERE h NOT IN (SELECT h FROM {endpoint.Database}.task_hashes_local) FORMAT TabSeparated"));
        }

        string[] expected = ["task-0", .. Enumerable.Range(1, 30).Where(i => i % 3 == 0).Select(i => $"task-{i}")];
        foreach (var client in new[] { first, second })
        {
            var reader = new ClickHouseInvocationReader(client);
            Assert.Equal(expected, reader.List(new InvocationQuery { Text = "order_id=12345" }).Items.Select(r => r.TaskId));
        }

        first.QueryServer($"DROP DATABASE IF EXISTS {endpoint.Database} ON CLUSTER {cluster.Cluster}");
    }
}

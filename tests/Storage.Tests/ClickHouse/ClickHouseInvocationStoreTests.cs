using Ingest.Storage.ClickHouse;
using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Reading;
using Ingest.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// The store contract on ClickHouse: each batch is inserted as rows and merged at read. Two writers (two instances)
/// take turns, so every merge here is also a merge of rows from different instances.
/// </summary>
public sealed class ClickHouseInvocationStoreTests : InvocationStoreContract
{
    private readonly ClickHouseStoreWriter _first;
    private readonly ClickHouseStoreWriter _second;
    private readonly ClickHouseClient _client;
    private readonly ClickHouseInvocationReader _reader;
    private int _batches;

    public ClickHouseInvocationStoreTests()
    {
        var endpoint = ClickHouseTestServer.FreshEndpoint();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds((long)Today));
        _first = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30)), "instance-a", time);
        _second = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30)), "instance-b", time);
        _client = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        _reader = new ClickHouseInvocationReader(_client);
    }

    protected override IInvocationStore Store => _reader;

    protected override void Write(params InvocationRecord[] batch) => (_batches++ % 2 == 0 ? _first : _second).WriteBatch(batch);

    [Fact]
    public void Get_RowsOfOneTaskOnTwoDaysFromTwoInstances_KeepWhatOnlyTheEarlierDayHad_Issue26()
    {
        var yesterday = Today - 86_400;
        Write(new InvocationRecord { TaskId = "d1", State = TaskStates.Started, StateAt = yesterday, Name = "shop.slow", StartedAt = yesterday, Kwargs = "{'order_id': 7}" });
        Write(new InvocationRecord { TaskId = "d1", State = TaskStates.Success, StateAt = Today, FinishedAt = Today, Result = "7" });

        var merged = Store.Get("d1")!;

        Assert.Equal((TaskStates.Success, "shop.slow", "{'order_id': 7}", "7", yesterday), (merged.State, merged.Name, merged.Kwargs, merged.Result, merged.StartedAt));
    }

    [Fact]
    public void Get_TwoInstancesSameStateTime_TheLaterLifecycleStateWins_Issue26()
    {
        // Same second on both instances: the write order says nothing across instances, the lifecycle rank does.
        Write(new InvocationRecord { TaskId = "r1", State = TaskStates.Success, StateAt = Today, FinishedAt = Today, Result = "1" });
        Write(new InvocationRecord { TaskId = "r1", State = TaskStates.Started, StateAt = Today, Name = "shop.fast", StartedAt = Today });

        var merged = Store.Get("r1")!;

        Assert.Equal((TaskStates.Success, "shop.fast", "1"), (merged.State, merged.Name, merged.Result));
    }

    [Fact]
    public void Get_BatchWrittenTwice_ReadsAsTheSameInvocation_Issue26()
    {
        // A batch retried after a half-failed write inserts its rows again: the merge is idempotent.
        var record = Records.Finished("twice", TaskStates.Success, Today) with { Retries = 2 };
        Write(record);
        Write(record);

        Assert.Equal(record, Store.Get("twice"));
        Assert.Single(Store.List(new InvocationQuery()).Items);
    }

    public override void Dispose()
    {
        _client.QueryServer($"DROP DATABASE IF EXISTS {_client.Endpoint.Database}");
        _client.Dispose();
        _first.Dispose();
        _second.Dispose();
    }
}

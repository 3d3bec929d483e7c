using Ingest.Storage.Checkpoint;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Workers;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// Several instances writing one task (issue 26): what each saw of it, merged at read into the invocation one
/// instance would have stored, even when the instance that saw its first events never writes again.
/// </summary>
public sealed class ClickHouseSharedMergeTests : IDisposable
{
    private static readonly double s_at = Records.At(2026, 12, 5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 5, 0, TimeSpan.Zero));
    private readonly ClickHouseEndpoint _endpoint = ClickHouseTestServer.FreshEndpoint();
    private readonly ClickHouseStoreWriter _a;
    private readonly ClickHouseStoreWriter _b;
    private readonly ClickHouseClient _client;

    public ClickHouseSharedMergeTests()
    {
        _client = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        _a = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "a", _time);
        _b = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "b", _time);
    }

    [Fact]
    public void WriteBatch_CheckpointRecordsOfOneInstanceAndTheOutcomeOfAnother_ReadAsOneNamedInvocation_Issue26()
    {
        var received = new InvocationRecord { TaskId = "t", State = TaskStates.Received, StateAt = s_at, Name = "shop.add", Args = "(1, 2)", ReceivedAt = s_at };
        _a.WriteBatch([], new CheckpointDelta([new("t", "{}", s_at)], []) { Records = [received] });
        _b.WriteBatch([Records.Finished("t", TaskStates.Success, s_at + 1, name: null) with { Args = null, Kwargs = null, ReceivedAt = null }]);

        var merged = new ClickHouseInvocationReader(_client).Get("t");

        Assert.Equal((TaskStates.Success, "shop.add", "(1, 2)", (double?)s_at), (merged?.State, merged?.Name, merged?.Args, merged?.ReceivedAt));
    }

    [Fact]
    public void WriteBatch_RetriesSeenByDifferentInstances_AddUpByTheirDistinctTimes_Issue26()
    {
        var first = new InvocationRecord { TaskId = "r", State = TaskStates.Retry, StateAt = s_at, Name = "shop.add", Retries = 1, RetriedAt = new RetryTimes([s_at]) };
        _a.WriteBatch([first]);
        // The same retry written again (a retried batch, a redelivery) still counts once.
        _a.WriteBatch([first]);
        _b.WriteBatch([Records.Finished("r", TaskStates.Success, s_at + 2) with { Retries = 1, RetriedAt = new RetryTimes([s_at + 1]) }]);

        var merged = new ClickHouseInvocationReader(_client).Get("r");

        Assert.Equal((TaskStates.Success, 2), (merged?.State, merged?.Retries));
    }

    [Fact]
    public void ReadWorkers_StatesWrittenByTwoInstances_GivesTheNewestSightingOfEachHostToEither_Issue26()
    {
        _a.WriteWorkers([new WorkerStateRow { Hostname = "w1@h", LastSeenAt = s_at, Processed = 3, Queues = ["orders"] }]);
        _b.WriteWorkers([new WorkerStateRow { Hostname = "w1@h", LastSeenAt = s_at + 5, Offline = true, LoadAverage = [0.5, 0.25, 0.125] }]);
        _b.WriteWorkers([new WorkerStateRow { Hostname = "w2@h", LastSeenAt = s_at + 1, SoftwareVersion = "5.5.3" }]);

        var fromA = _a.ReadWorkers(10);

        Assert.Equal(["w1@h", "w2@h"], fromA.Select(w => w.Hostname));
        Assert.Equal((true, (long?)null), (fromA[0].Offline, fromA[0].Processed));
        Assert.Equal([0.5, 0.25, 0.125], fromA[0].LoadAverage!);
        Assert.Equal("5.5.3", fromA[1].SoftwareVersion);
        Assert.Equal(fromA.Select(w => w.Hostname), _b.ReadWorkers(10).Select(w => w.Hostname));
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _client.QueryServer($"DROP DATABASE IF EXISTS {_endpoint.Database}");
        _client.Dispose();
    }
}

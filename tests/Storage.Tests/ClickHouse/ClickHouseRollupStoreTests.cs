using Ingest.Storage.ClickHouse;
using Ingest.Storage.Retention;
using Ingest.Storage.Rollups;
using Ingest.Storage.Tests.Rollups;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// The rollup contract on ClickHouse (migration 2): one instance writes each batch's deltas, the readers add them up.
/// Below it, what only ClickHouse has: several instances adding deltas, parts not merged yet, and partition drops.
/// </summary>
public sealed class ClickHouseRollupStoreTests : RollupStoreContract
{
    private readonly ClickHouseEndpoint _endpoint = ClickHouseTestServer.FreshEndpoint();
    private readonly ClickHouseStoreWriter _writer;
    private readonly ClickHouseClient _client;

    public ClickHouseRollupStoreTests()
    {
        _writer = Writer("instance-a", Clock);
        _client = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        Rollups = new ClickHouseRollupReader(_client);
        Ranks = new ClickHouseRollupRanks(_client);
    }

    protected override IRollupStore Rollups { get; }

    protected override IRollupRanks Ranks { get; }

    protected override void Write(params InvocationRecord[] batch) => _writer.WriteBatch(batch);

    protected override void WriteSamples(params QueueSample[] samples) => _writer.WriteQueueSamples(samples);

    [Fact]
    public void TwoInstances_DifferentTasksOfOneNameAndHour_CountsAddUp_Issue26()
    {
        using var other = Writer("instance-b", Clock);
        var at = At(2026, 11, 22, 10, 5);
        Write(Finished("a1", TaskStates.Success, at), Finished("a2", TaskStates.Failure, at));
        other.WriteBatch([Finished("b1", TaskStates.Success, at), Finished("b2", TaskStates.Failure, at + 60)]);
        other.WriteBatch([Finished("b3", TaskStates.Retry, at) with { FinishedAt = null }]);
        other.WriteBatch([Finished("b3", TaskStates.Success, at + 120)]);

        var row = Assert.Single(Rollups.TaskHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0)));

        Assert.Equal((5L, 3L, 2L, 0L), (row.Total, row.Count(TaskStates.Success), row.Count(TaskStates.Failure), row.Count(TaskStates.Retry)));
        var failure = Assert.Single(Ranks.Failures(At(2026, 11, 22, 0), At(2026, 11, 23, 0), null, null, null, 10).Items);
        Assert.Equal((2L, at, at + 60, "b2"), (failure.Count, failure.FirstSeen, failure.LastSeen, failure.ExampleTaskId));
    }

    [Fact]
    public void Reads_ManySmallBatchesOfOneKey_GiveTheSameFiguresBeforeAndAfterThePartsMerge_Issue26()
    {
        for (var i = 0; i < 12; i++)
        {
            Write(Finished($"p{i}", i % 3 == 0 ? TaskStates.Failure : TaskStates.Success, At(2026, 11, 22, 10, i)) with { RuntimeSeconds = 0.5 * (i + 1) });
        }

        var from = At(2026, 11, 22, 0);
        var to = At(2026, 11, 23, 0);
        string Figures() => string.Join("|",
            Rollups.TaskHours(from, to).Select(r => $"{r.Total},{string.Join(",", r.States)},{r.RuntimeCount},{r.RuntimeSum},{Convert.ToBase64String(r.Runtimes ?? [])}")
                .Concat(Rollups.FailureHours(from, to).Select(f => $"{f.Count},{f.FirstSeen},{f.LastSeen},{f.ExampleTaskId}"))
                .Concat(Ranks.TopTasks(from, to, null, null, 10).Items.Select(i => $"{i.Name}={i.Runs}")));
        var unmerged = Figures();
        Assert.True(PartCount("group_hours") > 1, "the batches left several parts");

        foreach (var table in (string[])["group_hours", "task_minutes", "failure_groups"])
        {
            _client.Query($"OPTIMIZE TABLE {_endpoint.Database}.{table} FINAL");
        }

        Assert.Equal(unmerged, Figures());
        Assert.Contains("12,", unmerged, StringComparison.Ordinal);
    }

    [Fact]
    public void DropStep_RollupsGoWithTheirDay_AndMinutesAfter48Hours_Issue26()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        using var writer = Writer("instance-r", time);
        writer.WriteBatch([Finished("m1", TaskStates.Failure, At(2026, 11, 22, 10)), Finished("m2", TaskStates.Success, At(2026, 11, 21, 10))]);

        time.Advance(TimeSpan.FromDays(2));
        var dropped = writer.DropStep(new RetentionOptions { Days = 7 });

        Assert.Contains("minute rollup of 2026-11-21", dropped, StringComparison.Ordinal);
        Assert.Empty(Rollups.GroupMinutes(At(2026, 11, 21, 0), At(2026, 11, 22, 0)));
        Assert.Equal(1, Rollups.GroupMinutes(At(2026, 11, 22, 0), At(2026, 11, 23, 0)).Sum(r => r.Counts.Total));
        Assert.Equal(2, Rollups.TaskHours(At(2026, 11, 21, 0), At(2026, 11, 23, 0)).Sum(r => r.Total));

        time.Advance(TimeSpan.FromDays(6));
        Assert.Contains("dropped 2026-11-21", writer.DropStep(new RetentionOptions { Days = 7 }), StringComparison.Ordinal);
        Assert.Equal(1, Rollups.TaskHours(At(2026, 11, 21, 0), At(2026, 11, 23, 0)).Sum(r => r.Total));
        Assert.Equal(1, Rollups.FailureHours(At(2026, 11, 21, 0), At(2026, 11, 23, 0)).Sum(r => r.Count));
    }

    public override void Dispose()
    {
        _client.QueryServer($"DROP DATABASE IF EXISTS {_endpoint.Database}");
        _client.Dispose();
        _writer.Dispose();
    }

    private ClickHouseStoreWriter Writer(string instance, TimeProvider time) =>
        new(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), instance, time);

    private long PartCount(string table) =>
        long.Parse(_client.Query($"SELECT count() FROM system.parts WHERE active AND database = {ClickHouseSql.Quote(_endpoint.Database)} AND table = {ClickHouseSql.Quote(table)} FORMAT TabSeparated").Trim(), System.Globalization.CultureInfo.InvariantCulture);
}

using Ingest.Storage.Checkpoint;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Retention;
using Ingest.Storage.Rollups;
using Ingest.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>The ClickHouse writer: schema versions, retention by partition drops, the checkpoint and meta rows.</summary>
public sealed class ClickHouseStoreWriterTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly ClickHouseEndpoint _endpoint = ClickHouseTestServer.FreshEndpoint();
    private readonly ClickHouseClient _client;
    private readonly ClickHouseStoreWriter _writer;

    public ClickHouseStoreWriterTests()
    {
        _client = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        _writer = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "a", _time);
    }

    [Fact]
    public void Open_EmptyServer_CreatesTheDatabaseAtTheLatestVersionAndAgainChangesNothing()
    {
        Assert.Equal(ClickHouseMigrator.LatestVersion, _writer.SchemaVersion);
        using var again = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "b", _time);

        Assert.Equal(ClickHouseMigrator.LatestVersion, again.SchemaVersion);
        Assert.Equal($"{ClickHouseMigrator.Migrations.Count}\n", _client.Query($"SELECT count() FROM {_endpoint.Database}.schema_version FORMAT TabSeparated"));
    }

    [Fact]
    public void Open_DatabaseAtANewerVersion_IsRefused()
    {
        _client.Query($"INSERT INTO {_endpoint.Database}.schema_version (version, name, applied_at) VALUES (999, 'future', now())");

        var e = Assert.Throws<InvalidOperationException>(() => new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "b", _time));

        Assert.Contains("999", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DropStep_DayPastRetention_DropsItsPartitionFromEveryTableOnly()
    {
        var old = Records.At(2026, 11, 20);
        _writer.WriteBatch([Records.Finished("old", TaskStates.Success, old), Records.Finished("new", TaskStates.Success, Records.At(2026, 12, 5))]);
        _writer.WriteQueueSamples([new QueueSample("orders", (long)old, 3, 1)]);

        var dropped = _writer.DropStep(new RetentionOptions { Days = 7 });

        Assert.Contains("2026-11-20", dropped, StringComparison.Ordinal);
        Assert.Equal([new DateOnly(2026, 12, 5)], _writer.Days());
        Assert.Null(_writer.DropStep(new RetentionOptions { Days = 7 }));
        Assert.Equal("new\n", _client.Query($"SELECT task_id FROM {_endpoint.Database}.task_days FORMAT TabSeparated"));
    }

    [Fact]
    public void DropStep_DayPastDetailRetention_DropsOnlyItsDetails()
    {
        _writer.WriteBatch([Records.Finished("d", TaskStates.Success, Records.At(2026, 12, 2))]);

        var dropped = _writer.DropStep(new RetentionOptions { Days = 7, DetailDays = 2 });

        Assert.Contains("details", dropped, StringComparison.Ordinal);
        var reader = new ClickHouseInvocationReader(_client);
        Assert.Equal((TaskStates.Success, (string?)null), (reader.Get("d")!.State, reader.Get("d")!.Args));
    }

    [Fact]
    public void ReadCheckpoint_UpsertsThenDeletes_GivesThisInstancesLiveRowsNewestFirst()
    {
        _writer.WriteBatch([], new CheckpointDelta([new("t1", "STARTED", 10), new("t2", "RECEIVED", 20), new("t3", "STARTED", 5)], []));
        _time.Advance(TimeSpan.FromSeconds(1));
        _writer.WriteBatch([], new CheckpointDelta([new("t1", "RETRY", 30)], ["t3"]));
        using var other = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "b", _time);
        other.WriteBatch([], new CheckpointDelta([new("x", "STARTED", 99)], []));

        Assert.Equal([new CheckpointRow("t1", "RETRY", 30), new CheckpointRow("t2", "RECEIVED", 20)], _writer.ReadCheckpoint(10));
    }

    [Fact]
    public void ReadShutdownDrops_AfterRecord_GivesTheLastCountOfThisInstance()
    {
        Assert.Null(_writer.ReadShutdownDrops());
        _writer.RecordShutdownDrops(7);
        _writer.RecordShutdownDrops(0);
        _writer.ProbeWrite();

        Assert.Equal(0, _writer.ReadShutdownDrops());
    }

    public void Dispose()
    {
        _client.QueryServer($"DROP DATABASE IF EXISTS {_endpoint.Database}");
        _client.Dispose();
        _writer.Dispose();
    }
}

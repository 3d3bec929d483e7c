using Ingest.Storage.Maintenance;
using Ingest.Storage.Retention;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Maintenance;

/// <summary>What the facts say about the WAL (issue 24: a read held open grew the WAL from 4 to 280 MiB unseen).</summary>
public sealed class WalFactsTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RefreshFacts_WalOverTheLimitBehindAnOpenRead_CountsTheFramesACheckpointCouldNotCopy_Issue24()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("x.db") };
        using var writer = new InvocationWriter(options, _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions(), _time) { WalLimitBytes = 2 * MiB };
        Write(writer, 0, 20);
        using var reader = OpenSnapshot(options);

        Write(writer, 20, 2000);
        var facts = maintenance.RefreshFacts();

        Assert.True(facts.WalBytes > 2 * MiB, $"WAL {facts.WalBytes} bytes");
        Assert.NotNull(facts.WalFrames);
        Assert.True(facts.WalFramesCheckpointed < facts.WalFrames, $"{facts.WalFramesCheckpointed} of {facts.WalFrames} frames checkpointed");
        Assert.True(facts.WalFrameBytes > 2 * MiB);

        // The read ends: the checkpoint copies every frame, and once a write has reset the WAL it holds next to nothing.
        reader.Close();
        var released = maintenance.RefreshFacts();
        Assert.Equal(released.WalFrames, released.WalFramesCheckpointed);
        Write(writer, 2020, 1);
        var after = maintenance.RefreshFacts();
        Assert.True(after.WalFrameBytes < 2 * MiB, $"{after.WalFrames} frames after the reset");
    }

    [Fact]
    public void RefreshFacts_WalUnderTheLimit_RunsNoCheckpointOfItsOwn()
    {
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = _dir.File("x.db") }, _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions(), _time) { WalLimitBytes = 256 * MiB };
        Write(writer, 0, 20);

        var facts = maintenance.RefreshFacts();

        Assert.Null(facts.WalFrames);
        Assert.Null(facts.WalFramesCheckpointed);
    }

    private static void Write(InvocationWriter writer, int from, int count)
    {
        var kwargs = $"{{'blob': '{new string('x', 2000)}'}}";
        writer.WriteBatch([.. Enumerable.Range(from, count).Select(i => Finished($"t{i}", TaskStates.Success, At(2026, 11, 22), kwargs: kwargs))]);
    }

    /// <summary>A read transaction from another connection, holding its snapshot until closed.</summary>
    private static SqliteConnection OpenSnapshot(StorageOptions options)
    {
        var reader = new SqliteConnection(new SqliteConnectionStringBuilder(SqliteConnections.ReaderConnectionString(options)) { Pooling = false }.ToString());
        reader.Open();
        SqliteConnections.Execute(reader, "BEGIN");
        using var read = reader.CreateCommand();
        read.CommandText = "SELECT count(*) FROM sqlite_master";
        read.ExecuteScalar();
        return reader;
    }
}

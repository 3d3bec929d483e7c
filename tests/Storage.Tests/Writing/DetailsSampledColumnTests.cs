using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Writing;

/// <summary>Issue 29: a row says its details were left out by the detail sample, on a new day and on a day made before the flag.</summary>
public sealed class DetailsSampledColumnTests
{

    [Fact]
    public void WriteBatch_SampledRow_ReadsBackFlaggedAndAKeptRowDoesNot_Issue29()
    {
        using var dir = new TempDirectory();
        var options = new StorageOptions { DatabasePath = dir.File("sampled.db") };
        using (var writer = new InvocationWriter(options))
        {
            writer.WriteBatch([
                Finished("s", TaskStates.Success, At(2026, 11, 22)) with { DetailsSampled = true },
                Finished("k", TaskStates.Success, At(2026, 11, 22)) with { Args = "(1,)" },
            ]);
        }

        var reader = new InvocationReader(options);
        Assert.True(reader.Get("s")!.DetailsSampled);
        Assert.False(reader.Get("k")!.DetailsSampled);
        Assert.Equal("(1,)", reader.Get("k")!.Args);
    }

    [Fact]
    public void Open_DayMadeBeforeTheFlag_ReadsUnflaggedThenGetsTheColumnFromTheWriter_Issue29()
    {
        using var dir = new TempDirectory();
        var options = new StorageOptions { DatabasePath = dir.File("older.db") };
        using (var writer = new InvocationWriter(options))
        {
            writer.WriteBatch([Finished("old", TaskStates.Success, At(2026, 11, 22))]);
        }

        // What an earlier version made: the same day without the column.
        using (var connection = new SqliteConnection($"Data Source={options.DatabasePath};Pooling=False"))
        {
            connection.Open();
            SqliteConnections.Execute(connection, "ALTER TABLE invocations_20261122 DROP COLUMN details_sampled");
        }

        Assert.False(new InvocationReader(options).Get("old")!.DetailsSampled);

        using (var writer = new InvocationWriter(options))
        {
            writer.WriteBatch([Finished("new", TaskStates.Success, At(2026, 11, 22)) with { DetailsSampled = true }]);
        }

        var reader = new InvocationReader(options);
        Assert.True(reader.Get("new")!.DetailsSampled);
        Assert.False(reader.Get("old")!.DetailsSampled);
    }
}

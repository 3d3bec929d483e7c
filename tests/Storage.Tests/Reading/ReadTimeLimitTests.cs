using System.Diagnostics;
using Ingest.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Tests.Reading;

/// <summary>Issue 24: a read that runs past its time limit is interrupted, whatever SQLite is doing.</summary>
public sealed class ReadTimeLimitTests : IDisposable
{
    /// <summary>Counts to ten billion: hours of SQLite's work, unless something stops it.</summary>
    private const string Endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT count(*) FROM n";

    private readonly TempDirectory _dir = new();
    private readonly string _connectionString;

    public ReadTimeLimitTests()
    {
        var path = _dir.File("r.db");
        using (var create = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            create.Open();
            SqliteConnections.Execute(create, "CREATE TABLE t (x)");
        }

        _connectionString = SqliteConnections.ReaderConnectionString(new StorageOptions { DatabasePath = path });
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_ASlowRecursiveQuery_IsInterruptedNearItsLimit_Issue24()
    {
        var limit = new ReadTimeLimit(new ReadOptions { StatementTimeLimit = TimeSpan.FromMilliseconds(200) });
        var started = Stopwatch.GetTimestamp();

        var read = Task.Run(() => limit.Run(_connectionString, c => Scalar(c, Endless)));

        // A deadline, not a sleep: without the limit the count runs for hours and this times out.
        var error = await Assert.ThrowsAsync<ReadTimeLimitExceededException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
        Assert.Equal("the query ran past its time limit (0.2 s); narrow the range", error.Message);
        Assert.Equal(1, limit.Interrupted);
    }

    [Fact]
    public void Run_AfterAnInterrupt_ThePooledConnectionReadsInFull()
    {
        var limit = new ReadTimeLimit(new ReadOptions { StatementTimeLimit = TimeSpan.FromMilliseconds(50) });
        Assert.Throws<ReadTimeLimitExceededException>(() => limit.Run(_connectionString, c => Scalar(c, Endless)));

        // The same pooled connection: had the passed deadline stayed attached, the first progress check would interrupt this.
        var count = ReadTimeLimit.None.Run(_connectionString, c => Scalar(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT count(*) FROM n"));

        Assert.Equal(100_000, count);
        Assert.Equal(1, limit.Interrupted);
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}

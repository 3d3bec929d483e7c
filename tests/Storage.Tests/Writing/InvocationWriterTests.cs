using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Writing;

public sealed class InvocationWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StorageOptions _options;

    public InvocationWriterTests()
    {
        _options = new StorageOptions { DatabasePath = _dir.File("ingest.db") };
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_NewFile_SetsWalIncrementalVacuumAndNormalSync()
    {
        using var writer = new InvocationWriter(_options);

        Assert.Equal("wal", SqliteConnections.Scalar<string>(writer.Connection, "PRAGMA journal_mode"));
        Assert.Equal(2L, SqliteConnections.Scalar<long>(writer.Connection, "PRAGMA auto_vacuum"));
        Assert.Equal(1L, SqliteConnections.Scalar<long>(writer.Connection, "PRAGMA synchronous"));
        Assert.Equal(0L, SqliteConnections.Scalar<long>(writer.Connection, "PRAGMA secure_delete"));
        Assert.Equal(0L, SqliteConnections.Scalar<long>(writer.Connection, "PRAGMA foreign_keys"));
    }

    [Fact]
    public void NewDay_SearchIndex_MergesSixteenSegmentsAtATime()
    {
        using var writer = new InvocationWriter(_options);
        writer.WriteBatch([Finished("a", TaskStates.Success, At(2026, 11, 22))]);

        // FTS5 keeps its options in the index's _config table; a day made by an older version keeps the default 4.
        Assert.Equal(16L, SqliteConnections.Scalar<long>(writer.Connection, "SELECT v FROM invocation_search_20261122_config WHERE k = 'automerge'"));
    }

    [Fact]
    public void NewDay_SearchIndex_MergesIncrementallyBeforeACrisisMerge_Issue29()
    {
        using var writer = new InvocationWriter(_options);
        writer.WriteBatch([Finished("a", TaskStates.Success, At(2026, 11, 22))]);

        // At FTS5's default crisis threshold (16, equal to the fan-in) a whole level was merged inside one batch.
        Assert.Equal(64L, SqliteConnections.Scalar<long>(writer.Connection, "SELECT v FROM invocation_search_20261122_config WHERE k = 'crisismerge'"));
    }

    [Fact]
    public void WriteBatch_EveryField_ReadsBackExactly()
    {
        var at = At(2026, 11, 22, 19, 43, 44.717117);
        var record = new InvocationRecord
        {
            TaskId = "abdbaffa-a5a2-49d6-89b7-586050c9aa9d",
            State = TaskStates.Revoked,
            StateAt = at,
            Name = "capapp.add",
            Worker = "w1@ingest-capture",
            Queue = "celery",
            SentAt = at - 3,
            ReceivedAt = at - 2,
            StartedAt = at - 1,
            FinishedAt = at,
            RuntimeSeconds = 1.000123,
            Retries = 2,
            Args = "('h\u00e9llo \U0001F30D \0 nul \\ \t',)",
            Kwargs = "{'order_id': 12345}",
            Result = null,
            Exception = "RuntimeError('\uFFFD')",
            Traceback = "Traceback (most recent call last):\n  ...\n",
            ParentId = "p",
            RootId = "r",
            Eta = "2026-11-22T19:43:49.232109+00:00",
            Expires = null,
            Terminated = true,
            Expired = false,
            Signum = 15,
        };
        using (var writer = new InvocationWriter(_options))
        {
            writer.WriteBatch([record]);
        }

        var read = new InvocationReader(_options).Get(record.TaskId);

        Assert.NotNull(read);
        Assert.Equivalent(record, read, strict: true);
    }

    [Fact]
    public void WriteBatch_TaskThatIsItsOwnRoot_ReadsBackItsIdAsRoot_StoredWithoutRepeatingIt()
    {
        // Celery sets root_id to the task's own id for every task not started by another: most of a fleet's rows.
        var at = 1795376624.0;
        var own = Finished("a6f3c1e2-0000-4000-8000-000000000001", TaskStates.Success, at) with { RootId = "a6f3c1e2-0000-4000-8000-000000000001" };
        var child = Finished("child-1", TaskStates.Success, at) with { RootId = own.TaskId, ParentId = own.TaskId };
        var none = Finished("no-root", TaskStates.Success, at) with { RootId = null };
        var empty = Finished("empty-root", TaskStates.Success, at) with { RootId = "" };
        using (var writer = new InvocationWriter(_options))
        {
            writer.WriteBatch([own, child, none, empty]);
            // A later version of the root task (the upsert path) keeps it.
            writer.WriteBatch([own with { StateAt = at + 1, FinishedAt = at + 1 }]);
        }

        var reader = new InvocationReader(_options);
        Assert.Equal(own.TaskId, reader.Get(own.TaskId)!.RootId);
        Assert.Equal(own.TaskId, reader.Get("child-1")!.RootId);
        Assert.Null(reader.Get("no-root")!.RootId);
        Assert.Null(reader.Get("empty-root")!.RootId); // an empty root_id on the wire says nothing
        Assert.Equal(own.TaskId, Assert.Single(reader.List(new InvocationQuery { Limit = 10 }).Items, r => r.TaskId == own.TaskId).RootId);

        using var c = new SqliteConnection($"Data Source={_options.DatabasePath};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = $"SELECT task_id, length(root_id) FROM {DayPartition.FromUnixSeconds(at).InvocationsSql} WHERE root_id IS NOT NULL ORDER BY task_id";
        using var rows = q.ExecuteReader();
        var stored = new List<(string, long)>();
        while (rows.Read())
        {
            stored.Add((rows.GetString(0), rows.GetInt64(1)));
        }

        Assert.Equal([(own.TaskId, 0L), ("child-1", (long)own.TaskId.Length)], stored);
    }

    [Fact]
    public void WriteBatch_RetryThenSuccessSameDay_LeavesOneRowWithTheOutcome()
    {
        using var writer = new InvocationWriter(_options);
        var at = At(2026, 11, 22);
        writer.WriteBatch([Finished("t", TaskStates.Retry, at) with { Retries = 1, Exception = "Retry()" }]);
        writer.WriteBatch([Finished("t", TaskStates.Success, at + 5) with { Retries = 1 }]);

        var r = new InvocationReader(_options).Get("t")!;

        Assert.Equal(TaskStates.Success, r.State);
        Assert.Null(r.Exception);
        Assert.Equal("'ok'", r.Result);
        Assert.Equal(1L, SqliteConnections.Scalar<long>(writer.Connection, "SELECT COUNT(*) FROM invocations_20261122"));
    }

    [Fact]
    public void WriteBatch_OlderRecordAfterNewer_KeepsTheNewerStateButFillsMissingFields()
    {
        using var writer = new InvocationWriter(_options);
        var at = At(2026, 11, 22);
        // After a restart the tracker only saw the success: no name, no args.
        writer.WriteBatch([new InvocationRecord { TaskId = "t", State = TaskStates.Success, StateAt = at + 5, FinishedAt = at + 5, Result = "1" }]);
        // The shutdown write of the earlier process, with its last state STARTED, lands later.
        writer.WriteBatch([new InvocationRecord { TaskId = "t", State = TaskStates.Started, StateAt = at, StartedAt = at, Name = "n", Args = "(1,)" }]);

        var r = new InvocationReader(_options).Get("t")!;

        Assert.Equal(TaskStates.Success, r.State);
        Assert.Equal("n", r.Name);
        Assert.Equal("(1,)", r.Args);
        Assert.Equal("1", r.Result);
        Assert.Equal(at, r.StartedAt);
    }

    [Fact]
    public void WriteBatch_AroundUtcMidnight_LandsInEachDaysPartition()
    {
        using var writer = new InvocationWriter(_options);
        writer.WriteBatch([
            Finished("before", TaskStates.Success, At(2026, 11, 22, 23, 59, 59.999)),
            Finished("after", TaskStates.Success, At(2026, 11, 23, 0, 0, 0.001)),
        ]);

        Assert.Equal(1L, SqliteConnections.Scalar<long>(writer.Connection, "SELECT COUNT(*) FROM invocations_20261122 WHERE task_id = 'before'"));
        Assert.Equal(1L, SqliteConnections.Scalar<long>(writer.Connection, "SELECT COUNT(*) FROM invocations_20261123 WHERE task_id = 'after'"));
        Assert.Equal([new DayPartition(new DateOnly(2026, 11, 22)), new DayPartition(new DateOnly(2026, 11, 23))], writer.Days);
    }

    [Fact]
    public void WriteBatch_FailedBatch_RollsBackWholeAndForgetsThePartitionItCreated()
    {
        using var writer = new InvocationWriter(_options);
        using (var reader = new SqliteConnection($"Data Source={_options.DatabasePath}"))
        {
            reader.Open();
            // A table of that name that is not a partition makes the batch fail inside its transaction.
            SqliteConnections.Execute(reader, "CREATE TABLE invocation_details_20261121 (x)");
        }

        var good = Finished("good", TaskStates.Success, At(2026, 11, 22));
        var bad = Finished("bad", TaskStates.Success, At(2026, 11, 21));

        Assert.ThrowsAny<SqliteException>(() => writer.WriteBatch([good, bad]));

        Assert.Null(new InvocationReader(_options).Get("good"));
        Assert.DoesNotContain(new DayPartition(new DateOnly(2026, 11, 21)), writer.Days);
        Assert.DoesNotContain(new DayPartition(new DateOnly(2026, 11, 22)), writer.Days);
    }

    [Fact]
    public void DropPartition_DropsBothTablesOfTheDay()
    {
        using var writer = new InvocationWriter(_options);
        writer.WriteBatch([Finished("a", TaskStates.Success, At(2026, 11, 20)), Finished("b", TaskStates.Success, At(2026, 11, 21))]);

        Assert.True(writer.DropPartition(new DayPartition(new DateOnly(2026, 11, 20))));

        Assert.Null(new InvocationReader(_options).Get("a"));
        Assert.NotNull(new InvocationReader(_options).Get("b"));
        Assert.False(PartitionCatalog.TableExists(writer.Connection, "invocation_details_20261120"));
    }
}

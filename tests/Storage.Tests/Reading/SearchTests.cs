using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Reading;

public sealed class SearchTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Search_OrderId_FindsExactlyTheInvocationsCarryingIt_AcrossTwoDaysAndLegacy()
    {
        var path = StorageFixtures.CopyLegacy(_dir);
        AddLegacyRow(path, "legacy-hit", "{'order_id': 424242}");
        AddLegacyRow(path, "legacy-near", "{'order_id': 4242420}");
        var options = new StorageOptions { DatabasePath = path };
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch(
        [
            Finished("day1-kwargs", TaskStates.Success, At(2026, 11, 21), kwargs: "{'order_id': 424242, 'priority': 'high'}"),
            Finished("day1-other", TaskStates.Success, At(2026, 11, 21), kwargs: "{'order_id': 42424}"),
            Finished("day2-args", TaskStates.Failure, At(2026, 11, 22)) with { Args = "(424242, 'retry')" },
            Finished("day2-result", TaskStates.Success, At(2026, 11, 22)) with { Result = "{'shipped': [424242]}" },
            Finished("day2-other", TaskStates.Success, At(2026, 11, 22), kwargs: "{'customer_id': 424243}"),
        ]);
        IndexAllLegacy(writer);
        var reader = new InvocationReader(options);

        var byValue = reader.List(new InvocationQuery { Text = "424242" });
        var byPair = reader.List(new InvocationQuery { Text = "order_id=424242" });
        var combined = reader.List(new InvocationQuery { Text = "424242", State = TaskStates.Failure });

        Assert.Equal(["day1-kwargs", "day2-args", "day2-result", "legacy-hit"], byValue.Items.Select(i => i.TaskId).Order());
        Assert.Equal(["day1-kwargs", "legacy-hit"], byPair.Items.Select(i => i.TaskId).Order());
        Assert.Equal(["day2-args"], combined.Items.Select(i => i.TaskId));
        Assert.Empty(byValue.Unsearched);
    }

    /// <summary>Issue 16: why did it fail, searchable: the exception's type and message and the traceback's last frame.</summary>
    [Fact]
    public void Search_ExceptionAndTheTracebacksLastFrame_FindTheFailure_AndAMergedFailureToo()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("s.db") };
        using var writer = new InvocationWriter(options, _time);
        var traceback = "Traceback (most recent call last):\n  File \"/app/shop/tasks.py\", line 12, in run\n    charge(order)\n  File \"/app/billing/gateway.py\", line 88, in charge_card\n    raise PaymentDeclined(msg)\nPaymentDeclined: card declined\n";
        writer.WriteBatch(
        [
            Finished("declined", TaskStates.Failure, At(2026, 11, 22, 10)) with { Exception = "PaymentDeclined('card declined for order 77')", Traceback = traceback },
            Finished("timeout", TaskStates.Failure, At(2026, 11, 22, 10)) with { Exception = "TimeoutError('gateway')", Args = null, Kwargs = null, Traceback = null },
            Finished("ok", TaskStates.Success, At(2026, 11, 22, 10), kwargs: "{'note': 'no payment problem'}"),
        ]);
        // Written early as STARTED, then failed: the merge indexes the failure too.
        writer.WriteBatch([Finished("late", TaskStates.Started, At(2026, 11, 22, 11)) with { FinishedAt = null, Result = null }]);
        writer.WriteBatch([Finished("late", TaskStates.Failure, At(2026, 11, 22, 11, 1)) with { Exception = "PaymentDeclined('expired')", Args = null, Kwargs = null }]);
        var reader = new InvocationReader(options);
        string[] Find(string q) => [.. reader.List(new InvocationQuery { Text = q }).Items.Select(i => i.TaskId).Order()];

        Assert.Equal(["declined", "late"], Find("PaymentDeclined"));
        Assert.Equal(["declined"], Find("card declined"));
        Assert.Equal(["declined"], Find("gateway.py charge_card")); // the frame it was raised in
        Assert.Empty(Find("shop")); // earlier frames are not indexed: the last one says where
        Assert.Equal(["timeout"], Find("TimeoutError"));
    }

    [Fact]
    public void Search_ValueInMostRows_WalksTheDayInTimeOrder_AndAnswersTheSameAsFromTheIndex()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("dense.db") };
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch([.. Enumerable.Range(0, 40).Select(i => Finished($"t{i:D2}", TaskStates.Success, At(2026, 11, 21 + (i % 2), second: i), kwargs: i % 4 == 0 ? "{'tier': 'gold', 'n': 5}" : "{'tier': 'gold'}"))]);
        var fromIndex = new InvocationReader(options);
        var walking = new InvocationReader(options) { DenseMatches = 3 };

        foreach (var text in new[] { "gold", "tier=gold n=5", "absent" })
        {
            foreach (var limit in new[] { 5, 100 })
            {
                var want = fromIndex.List(new InvocationQuery { Text = text, Limit = limit });
                var got = walking.List(new InvocationQuery { Text = text, Limit = limit });
                Assert.Equal(want.Items.Select(i => i.TaskId), got.Items.Select(i => i.TaskId));
                Assert.Equal(want.NextCursor, got.NextCursor);
            }
        }

        Assert.Equal(10, walking.List(new InvocationQuery { Text = "tier=gold n=5" }).Items.Count);
    }

    [Fact]
    public void Search_MergedInvocation_IsFoundByItsNewestValuesOnce()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("m.db") };
        using var writer = new InvocationWriter(options, _time);
        var at = At(2026, 11, 22);
        writer.WriteBatch([Finished("t1", TaskStates.Retry, at, kwargs: "{'order_id': 77}") with { Result = "'attempt one'", FinishedAt = null }]);
        writer.WriteBatch([Finished("t1", TaskStates.Success, at + 5, kwargs: null) with { Kwargs = null, Result = "'delivered'" }]);
        var reader = new InvocationReader(options);

        Assert.Equal(["t1"], reader.List(new InvocationQuery { Text = "order_id=77" }).Items.Select(i => i.TaskId));
        Assert.Equal(["t1"], reader.List(new InvocationQuery { Text = "delivered" }).Items.Select(i => i.TaskId));
        Assert.Empty(reader.List(new InvocationQuery { Text = "attempt" }).Items);
    }

    [Fact]
    public void Search_MergesInOneBatch_AndIntoARowThatHadNoText_IndexEachRowsFinalTextOnce()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("mb.db") };
        using var writer = new InvocationWriter(options, _time);
        var at = At(2026, 11, 22);
        writer.WriteBatch([Finished("quiet", TaskStates.Started, at) with { FinishedAt = null, Args = null, Kwargs = null, Traceback = "no text to index" }]);
        writer.WriteBatch(
        [
            Finished("twice", TaskStates.Retry, at, kwargs: "{'order_id': 31}") with { Result = "'first try'", FinishedAt = null },
            Finished("quiet", TaskStates.Success, at + 1, kwargs: "{'order_id': 32}"),
            Finished("twice", TaskStates.Success, at + 2, kwargs: null) with { Kwargs = null, Result = "'second try'" },
        ]);
        var reader = new InvocationReader(options);

        string[] Found(string text) => [.. reader.List(new InvocationQuery { Text = text }).Items.Select(i => i.TaskId)];
        Assert.Equal(["twice"], Found("order_id=31"));
        Assert.Equal(["twice"], Found("second try"));
        Assert.Empty(Found("first try"));
        Assert.Equal(["quiet"], Found("order_id=32"));
        Assert.Equal(1L, IndexedRows(options.DatabasePath, "20261122", "31"));
        Assert.Equal(1L, IndexedRows(options.DatabasePath, "20261122", "32"));
        Assert.Equal("ok", IntegrityCheck(options.DatabasePath, "20261122"));
    }

    [Fact]
    public void OpeningAFileThatIndexedByTrigger_DropsTheTriggers_AndIndexesEachRowOnce()
    {
        var path = _dir.File("triggers.db");
        var at = At(2026, 11, 22);
        using (var earlier = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time))
        {
            earlier.WriteBatch([Finished("old", TaskStates.Success, at, kwargs: "{'order_id': 41}")]);
        }

        // What earlier versions created with each day: triggers on the details table that fed the index.
        Execute(path, """
            CREATE TRIGGER invocation_details_20261122_search_insert AFTER INSERT ON invocation_details_20261122
            BEGIN INSERT INTO invocation_search_20261122 (rowid, args, kwargs, result) VALUES (new.id, new.args, new.kwargs, new.result); END;
            CREATE TRIGGER invocation_details_20261122_search_update AFTER UPDATE ON invocation_details_20261122
            BEGIN DELETE FROM invocation_search_20261122 WHERE rowid = old.id;
            INSERT INTO invocation_search_20261122 (rowid, args, kwargs, result) VALUES (new.id, new.args, new.kwargs, new.result); END;
            """);

        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);
        writer.WriteBatch([Finished("new", TaskStates.Success, at + 1, kwargs: "{'order_id': 42}")]);

        Assert.Equal(0L, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"));
        Assert.Equal(1L, IndexedRows(path, "20261122", "42"));
        Assert.Equal(["new"], new InvocationReader(new StorageOptions { DatabasePath = path }).List(new InvocationQuery { Text = "order_id=42" }).Items.Select(i => i.TaskId));
        Assert.Equal("ok", IntegrityCheck(path, "20261122"));
    }

    [Fact]
    public void Search_PagesThroughManyMatchesWithoutGapsOrRepeats()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("p.db") };
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch([.. Enumerable.Range(0, 25).Select(i => Finished($"t{i:D2}", TaskStates.Success, At(2026, 11, 21 + (i % 2), second: i), kwargs: "{'tenant': 'acme'}"))]);
        writer.WriteBatch([Finished("x", TaskStates.Success, At(2026, 11, 22), kwargs: "{'tenant': 'other'}")]);
        var reader = new InvocationReader(options);

        var seen = new List<string>();
        PageCursor? after = null;
        do
        {
            var page = reader.List(new InvocationQuery { Text = "acme", Limit = 7, After = after });
            seen.AddRange(page.Items.Select(i => i.TaskId));
            after = page.NextCursor;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"t{i:D2}").Order(), seen.Order());
        Assert.Equal(25, seen.Distinct().Count());
    }

    [Fact]
    public void Search_LegacyNotYetIndexed_SaysSoInsteadOfAnsweringEmpty()
    {
        var path = StorageFixtures.CopyLegacy(_dir);
        AddLegacyRow(path, "legacy-hit", "{'order_id': 515151}");
        var options = new StorageOptions { DatabasePath = path };
        using var writer = new InvocationWriter(options, _time);
        var reader = new InvocationReader(options);

        var before = reader.List(new InvocationQuery { Text = "515151" });
        Assert.Empty(before.Items);
        Assert.Contains("legacy", before.Unsearched);
        Assert.True(writer.LegacySearchPending);

        // Maintenance indexes it in bounded steps between batches, resuming where it stopped.
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 36500 }, _time);
        var steps = 0;
        while (maintenance.RunStep(CancellationToken.None) is { Kind: not MaintenanceKind.None })
        {
            Assert.True(++steps < 1000, "maintenance never finished indexing legacy");
        }

        var after = reader.List(new InvocationQuery { Text = "515151" });
        Assert.Equal(["legacy-hit"], after.Items.Select(i => i.TaskId));
        Assert.Empty(after.Unsearched);
    }

    [Fact]
    public void Search_DayWrittenWithoutTheIndex_IsReportedUnsearched()
    {
        var path = _dir.File("off.db");
        using (var off = new InvocationWriter(new StorageOptions { DatabasePath = path, SearchIndex = false }, _time))
        {
            off.WriteBatch([Finished("a", TaskStates.Success, At(2026, 11, 21), kwargs: "{'v': 9}")]);
        }

        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);
        writer.WriteBatch([Finished("b", TaskStates.Success, At(2026, 11, 22), kwargs: "{'v': 9}")]);

        var page = new InvocationReader(new StorageOptions { DatabasePath = path }).List(new InvocationQuery { Text = "9" });

        Assert.Equal(["b"], page.Items.Select(i => i.TaskId));
        Assert.Equal(["20261121"], page.Unsearched);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("=== ::")]
    public void Search_NothingToSearchFor_IsAClearError(string text)
    {
        var options = new StorageOptions { DatabasePath = _dir.File("e.db") };
        using var writer = new InvocationWriter(options, _time);
        var error = Assert.Throws<ArgumentException>(() => new InvocationReader(options).List(new InvocationQuery { Text = text }));
        Assert.StartsWith("q ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acme OR nothing", "acme")] // as FTS5 syntax, OR would match acme
    [InlineData("acm*", "acme")] // as FTS5 syntax, a prefix query would match acme
    [InlineData("NEAR(acme)", "acme")] // as FTS5 syntax, NEAR of one phrase matches acme
    public void Search_Fts5SyntaxInTheQuery_IsSearchedAsTextNotParsed(string text, string stored)
    {
        var options = new StorageOptions { DatabasePath = _dir.File("s.db") };
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch([Finished("a", TaskStates.Success, At(2026, 11, 22), kwargs: $"{{'t': '{stored}'}}")]);

        var page = new InvocationReader(options).List(new InvocationQuery { Text = text });

        Assert.Empty(page.Items);
    }

    private static long IndexedRows(string path, string day, string term) =>
        Scalar(path, $"SELECT count(*) FROM invocation_search_{day}('\"{term}\"')");

    /// <summary>FTS5's own check of the index's structure; "ok" or the error it raised.</summary>
    private static string IntegrityCheck(string path, string day)
    {
        try
        {
            Execute(path, $"INSERT INTO invocation_search_{day} (invocation_search_{day}) VALUES ('integrity-check')");
            return "ok";
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    private static long Scalar(string path, string sql)
    {
        using var connection = Open(path);
        return SqliteConnections.Scalar<long>(connection, sql);
    }

    private static void Execute(string path, string sql)
    {
        using var connection = Open(path);
        SqliteConnections.Execute(connection, sql);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void IndexAllLegacy(InvocationWriter writer)
    {
        for (var i = 0; writer.LegacySearchPending; i++)
        {
            Assert.True(i < 1000);
            writer.IndexLegacyChunk(700);
        }
    }

    private static void AddLegacyRow(string path, string taskId, string kwargs)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO invocations (task_id, task_name, state, finished_at, runtime_ms) VALUES ($id, 'shop.process_order', 'SUCCESS', 1700000000, 12);
            INSERT INTO invocation_details (task_id, args_preview, kwargs_preview) VALUES ($id, '()', $kwargs);
            """;
        command.Parameters.AddWithValue("$id", taskId);
        command.Parameters.AddWithValue("$kwargs", kwargs);
        command.ExecuteNonQuery();
    }
}

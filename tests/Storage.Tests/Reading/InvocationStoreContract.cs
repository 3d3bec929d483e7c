using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Support;

namespace Ingest.Storage.Tests.Reading;

/// <summary>
/// What every store of invocations answers the same (issue 26): one suite, run unchanged against SQLite and
/// ClickHouse by a subclass each, which only says how a batch is written and which reader reads it.
/// </summary>
public abstract partial class InvocationStoreContract : IDisposable
{
    /// <summary>Noon of the contract's "today"; every record sits on this day or the two before.</summary>
    protected static readonly double Today = Records.At(2026, 12, 5);

    /// <summary>The reader under test.</summary>
    protected abstract IInvocationStore Store { get; }

    /// <summary>Writes one batch as the flush loop would: a later call is a later batch.</summary>
    protected abstract void Write(params InvocationRecord[] batch);

    public abstract void Dispose();

    [Fact]
    public void Get_UnknownTaskId_IsNull() =>
        Assert.Null(Store.Get("no-such-task"));

    [Fact]
    public void Get_OneRecordWithEveryField_ReadsBackEqual()
    {
        var record = Full("t-full");
        Write(record);

        Assert.Equal(record, Store.Get("t-full"));
    }

    [Fact]
    public void Get_TwoPartialRecordsInTwoBatches_MergeIntoOneInvocation()
    {
        Write(new InvocationRecord { TaskId = "t1", State = TaskStates.Received, StateAt = Today, Name = "shop.charge", Queue = "orders", ReceivedAt = Today, Args = "(1,)", Kwargs = "{'order_id': 12345}" });
        Write(new InvocationRecord { TaskId = "t1", State = TaskStates.Success, StateAt = Today + 5, Worker = "w1@h", StartedAt = Today + 1, FinishedAt = Today + 5, RuntimeSeconds = 4, Result = "'ok'", Retries = 1 });

        var merged = Store.Get("t1")!;

        Assert.Equal((TaskStates.Success, "shop.charge", "orders", "w1@h"), (merged.State, merged.Name, merged.Queue, merged.Worker));
        Assert.Equal((Today, Today + 1, Today + 5, Today + 5), (merged.ReceivedAt, merged.StartedAt, merged.FinishedAt, merged.StateAt));
        Assert.Equal(("(1,)", "{'order_id': 12345}", "'ok'", 1), (merged.Args, merged.Kwargs, merged.Result, merged.Retries));
    }

    [Fact]
    public void Get_OlderRecordWrittenAfterTheNewer_KeepsTheNewerStateAndFillsWhatItLacked()
    {
        Write(new InvocationRecord { TaskId = "t2", State = TaskStates.Failure, StateAt = Today + 9, FinishedAt = Today + 9, Exception = "ValueError('boom')", Retries = 2 });
        Write(new InvocationRecord { TaskId = "t2", State = TaskStates.Started, StateAt = Today + 3, Name = "shop.ship", StartedAt = Today + 3, Worker = "w2@h", Retries = 1 });

        var merged = Store.Get("t2")!;

        Assert.Equal((TaskStates.Failure, Today + 9, "ValueError('boom')"), (merged.State, merged.StateAt, merged.Exception));
        Assert.Equal(("shop.ship", "w2@h", Today + 3, 2), (merged.Name, merged.Worker, merged.StartedAt, merged.Retries));
    }

    /// <remarks>
    /// Only the newest day's state is common ground: SQLite shows the newest day's row whole (EarlierDayRows), while
    /// ClickHouse also fills in what only the earlier day's row had (its own test checks that).
    /// </remarks>
    [Fact]
    public void Get_RecordsOfOneTaskOnTwoDays_ReadAsOneInvocationInTheNewestState()
    {
        var yesterday = Today - 86_400;
        Write(new InvocationRecord { TaskId = "t3", State = TaskStates.Started, StateAt = yesterday, Name = "shop.slow", StartedAt = yesterday });
        Write(new InvocationRecord { TaskId = "t3", State = TaskStates.Success, StateAt = Today, FinishedAt = Today, Name = "shop.slow", Result = "7" });

        var merged = Store.Get("t3")!;

        Assert.Equal((TaskStates.Success, "shop.slow", "7", Today), (merged.State, merged.Name, merged.Result, merged.StateAt));
        Assert.Single(Store.List(new InvocationQuery { Limit = 10 }).Items, r => r.TaskId == "t3");
    }

    [Fact]
    public void List_Pages_NewestFirstEachTaskOnceAcrossPages()
    {
        for (var i = 0; i < 5; i++)
        {
            Write(Records.Finished($"p{i}", TaskStates.Success, Today - (i * 3600)));
        }

        Write(new InvocationRecord { TaskId = "p0", State = TaskStates.Received, StateAt = Today - 30_000, Name = "shop.process_order" });
        var seen = new List<string>();
        PageCursor? after = null;
        do
        {
            var page = Store.List(new InvocationQuery { Limit = 2, After = after });
            seen.AddRange(page.Items.Select(r => r.TaskId));
            after = page.NextCursor;
        }
        while (after is not null && seen.Count < 20);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], seen);
    }

    [Fact]
    public void List_Filters_SelectByNameStateWorkerAndTime()
    {
        Write(
            Records.Finished("f1", TaskStates.Success, Today - 7200, name: "a.one"),
            Records.Finished("f2", TaskStates.Failure, Today - 3600, name: "a.one"),
            Records.Finished("f3", TaskStates.Success, Today, name: "b.two") with { Worker = "w9@h" });

        Assert.Equal(["f2", "f1"], Ids(new InvocationQuery { Name = "a.one" }));
        Assert.Equal(["f2"], Ids(new InvocationQuery { State = TaskStates.Failure }));
        Assert.Equal(["f3"], Ids(new InvocationQuery { Worker = "w9@h" }));
        Assert.Equal(["f2"], Ids(new InvocationQuery { ExceptionType = "ValueError" }));
        Assert.Equal(["f3", "f2"], Ids(new InvocationQuery { Since = Today - 3600 }));
        Assert.Equal(["f1"], Ids(new InvocationQuery { Until = Today - 3600 }));
    }

    [Fact]
    public void List_NameContains_IsALiteralCaseInsensitiveSubstring_Issue25()
    {
        Write(
            Records.Finished("n1", TaskStates.Success, Today - 2, name: "shop.tasks.import_orders"),
            Records.Finished("n2", TaskStates.Success, Today - 1, name: "shop.tasks.importXorders"),
            Records.Finished("n3", TaskStates.Success, Today, name: "shop.tasks.export"));

        Assert.Equal(["n2", "n1"], Ids(new InvocationQuery { NameContains = "IMPORT" }));
        // _ and % are the characters typed, never wildcards.
        Assert.Equal(["n1"], Ids(new InvocationQuery { NameContains = "import_orders" }));
        Assert.Empty(Ids(new InvocationQuery { NameContains = "%" }));
    }

    [Theory]
    [InlineData("' OR 1=1 --")]
    [InlineData("\\' OR '1'='1")]
    [InlineData("x'); DROP TABLE invocations; --")]
    [InlineData("\0\n\u2028é😀\\")]
    public void List_HostileFilterValue_IsAValueNeverSql(string hostile)
    {
        Write(Records.Finished("h1", TaskStates.Success, Today, name: "plain"), Records.Finished("h2", TaskStates.Success, Today - 1, name: hostile) with { Worker = hostile });

        Assert.Equal(["h2"], Ids(new InvocationQuery { Name = hostile }));
        Assert.Equal(["h2"], Ids(new InvocationQuery { Worker = hostile }));
        Assert.Empty(Ids(new InvocationQuery { Name = hostile + "x" }));
        Assert.Equal(["h2"], Ids(new InvocationQuery { NameContains = hostile }));
        Assert.Equal(hostile, Store.Get("h2")!.Name);
        Assert.Null(Store.Get(hostile));
        Assert.Equal(2, Store.List(new InvocationQuery()).Items.Count);
    }

    private List<string> Ids(InvocationQuery query) => Store.List(query).Items.Select(r => r.TaskId).ToList();

    private static InvocationRecord Full(string id) => new()
    {
        TaskId = id,
        State = TaskStates.Failure,
        StateAt = Today + 0.123456,
        Name = "shop.process_order",
        Worker = "celery@host-1",
        Queue = "orders",
        SentAt = Today - 2.5,
        ReceivedAt = Today - 2.25,
        StartedAt = Today - 2,
        FinishedAt = Today + 0.123456,
        RuntimeSeconds = 2.123456,
        Retries = 3,
        Args = "(12345, 'x')",
        Kwargs = "{'order_id': 12345}",
        Exception = "ValueError('boom')",
        Traceback = "Traceback (most recent call last):\n  File \"t.py\", line 1, in f\nValueError: boom\n",
        ParentId = "parent-1",
        RootId = "root-1",
        Eta = "2026-12-05T12:00:00+00:00",
        Expires = "2026-12-06T12:00:00+00:00",
        Terminated = false,
        Expired = true,
        Signum = 9,
    };
}

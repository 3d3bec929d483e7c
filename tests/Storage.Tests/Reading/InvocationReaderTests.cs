using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Reading;

public sealed class InvocationReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StorageOptions _options;
    private readonly InvocationWriter _writer;

    public InvocationReaderTests()
    {
        _options = new StorageOptions { DatabasePath = _dir.File("ingest.db") };
        _writer = new InvocationWriter(_options);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Get_TaskInTwoDayPartitionsAcrossMidnight_ReturnsTheNewestStateOnce()
    {
        _writer.WriteBatch([Finished("t", TaskStates.Retry, At(2026, 11, 22, 23, 59, 59.5)) with { Exception = "Retry()" }]);
        _writer.WriteBatch([Finished("t", TaskStates.Success, At(2026, 11, 23, 0, 0, 1))]);
        var reader = new InvocationReader(_options);

        Assert.Equal(TaskStates.Success, reader.Get("t")!.State);
        var page = reader.List(new InvocationQuery { Limit = 10 });
        var only = Assert.Single(page.Items);
        Assert.Equal(TaskStates.Success, only.State);
        Assert.Empty(reader.List(new InvocationQuery { State = TaskStates.Retry }).Items);
    }

    [Fact]
    public void List_AcrossPartitions_IsNewestFirstAndPagesWithoutGapsOrRepeats()
    {
        var records = Enumerable.Range(0, 25).Select(i => Finished($"t{i:D2}", TaskStates.Success, At(2026, 11, 20, 22) + (i * 3600))).ToList();
        _writer.WriteBatch(records);
        var reader = new InvocationReader(_options);

        var seen = new List<string>();
        PageCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = reader.List(new InvocationQuery { Limit = 10, After = cursor });
            seen.AddRange(page.Items.Select(r => r.TaskId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(records.Select(r => r.TaskId).Reverse(), seen);
    }

    /// <summary>
    /// Issue 24: a thousand rows of 32 KiB args are 100 MB; a page ends at its text budget, and its cursor goes on from
    /// the last row it holds, so the pages still cover every row once.
    /// </summary>
    [Fact]
    public void List_RowsPastTheTextBudget_EndThePageEarly_AndTheCursorGoesOn_Issue24()
    {
        var big = new string('x', 32_000);
        var records = Enumerable.Range(0, 40).Select(i => Finished($"t{i:D2}", TaskStates.Success, At(2026, 11, 22, 10) + i) with { Args = big }).ToList();
        _writer.WriteBatch(records);
        var reader = new InvocationReader(_options);

        var seen = new List<string>();
        var sizes = new List<int>();
        PageCursor? cursor = null;
        do
        {
            var page = reader.List(new InvocationQuery { Limit = 1000, After = cursor, MaxChars = 300_000 });
            seen.AddRange(page.Items.Select(r => r.TaskId));
            sizes.Add(page.Items.Count);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        // 32,000 characters and a little more a row: the tenth reaches 300,000.
        Assert.Equal([10, 10, 10, 10], sizes);
        Assert.Equal(records.Select(r => r.TaskId).Reverse(), seen);
    }

    [Fact]
    public void List_Filters_ByNameStateWorkerAndTime()
    {
        var at = At(2026, 11, 22, 10);
        _writer.WriteBatch([
            Finished("a", TaskStates.Success, at, name: "x"),
            Finished("b", TaskStates.Failure, at + 10, name: "x"),
            Finished("c", TaskStates.Failure, at + 20, name: "y") with { Worker = "w2" },
        ]);
        var reader = new InvocationReader(_options);

        Assert.Equal(["b", "a"], reader.List(new InvocationQuery { Name = "x" }).Items.Select(r => r.TaskId));
        Assert.Equal(["c", "b"], reader.List(new InvocationQuery { State = TaskStates.Failure }).Items.Select(r => r.TaskId));
        Assert.Equal(["c"], reader.List(new InvocationQuery { Worker = "w2" }).Items.Select(r => r.TaskId));
        Assert.Equal(["b"], reader.List(new InvocationQuery { Since = at + 5, Until = at + 15 }).Items.Select(r => r.TaskId));
    }

    [Fact]
    public void PageCursor_RoundTrips_AndRejectsGarbage()
    {
        var cursor = new PageCursor(1795376624.7171166, "abc|def");

        Assert.True(PageCursor.TryDecode(cursor.Encode(), out var back));
        Assert.Equal(cursor, back);
        Assert.False(PageCursor.TryDecode("%%%", out _));
        Assert.False(PageCursor.TryDecode("bm9waXBl", out _));
    }

    [Fact]
    public void List_NameContains_FindsNamesHoldingTheText_UnderscoreAndPercentLiterally_Issue25()
    {
        var at = At(2026, 11, 20);
        _writer.WriteBatch([
            Finished("a", TaskStates.Success, at, "shop.tasks.import_orders"),
            Finished("b", TaskStates.Success, at + 1, "shop.tasks.IMPORT_users"),
            Finished("c", TaskStates.Success, at + 2, "shop.tasks.importXorders"),
            Finished("d", TaskStates.Success, at + 3, "shop.sale_100%"),
            Finished("e", TaskStates.Success, at + 4, "shop.sale_1000"),
        ]);
        var reader = new InvocationReader(_options);
        string[] Found(string text) => [.. reader.List(new InvocationQuery { NameContains = text }).Items.Select(r => r.TaskId).Order()];

        Assert.Equal(["a", "b", "c"], Found("import"));
        Assert.Equal(["a"], Found("import_orders"));
        Assert.Equal(["d"], Found("100%"));
    }
}

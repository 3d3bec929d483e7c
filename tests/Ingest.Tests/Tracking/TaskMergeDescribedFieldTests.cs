using Ingest.Accounting;
using Ingest.Tracking;

namespace Ingest.Tests.Tracking;

public class TaskMergeDescribedFieldTests
{
    [Theory]
    [InlineData(new[] { 0, 1, 2 })]
    [InlineData(new[] { 0, 2, 1 })]
    [InlineData(new[] { 2, 1, 0 })]
    [InlineData(new[] { 1, 0, 2 })]
    [InlineData(new[] { 2, 0, 1 })]
    [InlineData(new[] { 1, 2, 0 })]
    public void Merge_ArgsChangedByRetry_TakesTheLatestAttemptsArgsInAnyOrder(int[] order)
    {
        (string Args, double At)[] events = [("(1,)", 1), ("(2,)", 2), ("(1,)", 3)];
        var merge = new Ingest.Tracking.TaskMerge("t");
        foreach (var i in order)
        {
            merge.Apply(new Ingest.Tracking.CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = "t", Args = events[i].Args, Timestamp = events[i].At });
        }

        Assert.Equal("(1,)", merge.ToRecord().Args);
    }
}

/// <summary>Issue 29: long args and kwargs wait in the tracker as compressed UTF-8, and come out as the same text.</summary>
public class TaskMergeCompactArgsTests
{
    private static readonly string s_args = "('" + string.Concat(Enumerable.Repeat("order-12345 ", 3_000)) + "',)";
    private static readonly string s_kwargs = "{'note': '" + new string('Ж', 20_000) + "'}";

    [Fact]
    public void Merge_LongArgs_HeldCompact_RecordCarriesThemCompactAndAsText()
    {
        var merge = Received("t", 1);

        var record = merge.ToRecord();

        Assert.NotNull(record.ArgsCompact);
        Assert.NotNull(record.KwargsCompact);
        Assert.Equal(s_args, record.Args);
        Assert.Equal(s_kwargs, record.Kwargs);
        Assert.Equal(s_args, merge.Args);
        // Counted at its text's size, as a string would be: the budget means the same whatever the form.
        Assert.Equal(RecordSize.Of(record with { Args = s_args, Kwargs = s_kwargs }), RecordSize.Of(record));
        Assert.True(record.ArgsCompact.HeldBytes < s_args.Length / 10);
    }

    [Fact]
    public void Merge_ShortArgs_StayStrings()
    {
        var merge = new TaskMerge("t");
        merge.Apply(new CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = "t", Args = "(1, 2)", Kwargs = "{}", Timestamp = 1 });

        var record = merge.ToRecord();

        Assert.Null(record.ArgsCompact);
        Assert.Equal("(1, 2)", record.HeldArgs);
        Assert.Equal("{}", record.Kwargs);
    }

    [Fact]
    public void Apply_RedeliveredLongArgs_NoChange_NewerOtherArgsReplaceThem()
    {
        var merge = Received("t", 1);

        Assert.False(merge.Apply(new CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = "t", Name = "shop.import", Args = s_args, Kwargs = s_kwargs, Timestamp = 1 }));
        Assert.True(merge.Apply(new CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = "t", Args = "(2,)", Timestamp = 3 }));
        Assert.Equal("(2,)", merge.ToRecord().Args);
        Assert.Null(merge.ToRecord().ArgsCompact);
        Assert.Equal(s_kwargs, merge.ToRecord().Kwargs);
    }

    [Fact]
    public void Snapshot_LongArgs_RoundTripCompactAndEqual()
    {
        var merge = Received("t", 1);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            merge.WriteSnapshot(w);
        }

        using var doc = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
        var restored = TaskMerge.ReadSnapshot("t", doc.RootElement).ToRecord();

        Assert.Equal(merge.ToRecord(), restored);
        Assert.NotNull(restored.ArgsCompact);
        Assert.Equal(s_kwargs, restored.Kwargs);
    }

    [Fact]
    public void Merge_LongResultAndTraceback_HeldCompact_PreparedWriteSearchesTheSameText()
    {
        var result = "{'rows': [" + string.Concat(Enumerable.Repeat("'sku-1', ", 800)) + "]}";
        var traceback = "Traceback (most recent call last):\n" + string.Concat(Enumerable.Repeat("  File \"/app/shop.py\", line 9, in run\n", 150)) + "ValueError: boom\n";
        var succeeded = Received("s", 1);
        succeeded.Apply(new CeleryEvent { Type = CeleryEventType.TaskSucceeded, Uuid = "s", Result = result, Timestamp = 2 });
        var failed = Received("f", 1);
        failed.Apply(new CeleryEvent { Type = CeleryEventType.TaskFailed, Uuid = "f", Exception = "ValueError('boom')", Traceback = traceback, Timestamp = 2 });

        var success = succeeded.ToRecord();
        var failure = failed.ToRecord();

        Assert.NotNull(success.ResultCompact);
        Assert.Equal(result, success.Result);
        Assert.Equal(result, Ingest.Storage.Writing.PreparedWrite.Of(success, new Ingest.Storage.WorkerGroups(null)).SearchResult);
        Assert.NotNull(failure.TracebackCompact);
        Assert.Equal(traceback, failure.Traceback);
        Assert.Equal("ValueError", failure.ExceptionType);
        Assert.StartsWith("ValueError('boom') ", Ingest.Storage.Writing.PreparedWrite.Of(failure, new Ingest.Storage.WorkerGroups(null)).SearchResult, StringComparison.Ordinal);
        Assert.Equal(RecordSize.Of(success with { Result = result }), RecordSize.Of(success));
    }

    private static TaskMerge Received(string id, double at)
    {
        var merge = new TaskMerge(id);
        merge.Apply(new CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = id, Name = "shop.import", Args = s_args, Kwargs = s_kwargs, Timestamp = at });
        return merge;
    }
}

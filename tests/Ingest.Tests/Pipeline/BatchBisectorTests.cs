using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Tests.Support;

namespace Ingest.Tests.Pipeline;

public class BatchBisectorTests
{
    // Every effect the bisector has, in the order it had them.
    private readonly List<string> _events = [];
    private readonly List<InvocationRecord> _committed = [];
    private readonly List<(string TaskId, Exception Error)> _setAside = [];

    private BatchBisector Bisector() => new(
        inProgress => _events.Add($"in progress {inProgress}"),
        segment =>
        {
            _events.Add($"committed {segment.Count}");
            _committed.AddRange(segment);
        },
        (record, error) =>
        {
            _events.Add($"set aside {record.TaskId}");
            _setAside.Add((record.TaskId, error));
        });

    private static List<InvocationRecord> Batch(int count) => [.. Enumerable.Range(0, count).Select(PipelineHarness.Record)];

    [Fact]
    public void Write_NoFailure_CommitsTheBatchInOneWrite()
    {
        var writer = new GatedWriter();
        var batch = Batch(10);

        Assert.Equal(10, Bisector().Write(batch, writer));

        Assert.Equal(1, writer.Attempts);
        Assert.Equal(["in progress 0", "committed 10"], _events);
    }

    [Fact]
    public void Write_OneRecordFailsAlone_IsSetAsideAndEveryOtherRecordIsCommitted_Issue12()
    {
        var writer = new GatedWriter { PoisonTaskId = "task-000037" };
        var batch = Batch(100);

        var committed = Bisector().Write(batch, writer);

        Assert.Equal(99, committed);
        var (taskId, error) = Assert.Single(_setAside);
        Assert.Equal("task-000037", taskId);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal(99, _committed.Select(r => r.TaskId).Distinct().Count());
        Assert.DoesNotContain(_committed, r => r.TaskId == "task-000037");
        // Halves, not one record at a time: about 2 log2(n) writes.
        Assert.InRange(writer.Attempts, 2, 2 * 7 + 1);
    }

    [Fact]
    public void Write_EachSettledPiece_LeavesInProgressBeforeItIsCounted()
    {
        var writer = new GatedWriter { PoisonTaskId = "task-000000" };

        Bisector().Write(Batch(4), writer);

        // [0,4) fails, [0,2) fails, [0,1) fails alone, then [1,2) and [2,4) commit.
        Assert.Equal(
            ["in progress 3", "set aside task-000000", "in progress 2", "committed 1", "in progress 0", "committed 2"],
            _events);
    }

    [Fact]
    public void Write_StorageFaultMidway_RethrowsItAndLeavesOnlyTheUnwrittenRecordsInTheBatch()
    {
        // Record 0 fails alone; the next write, [1,2), meets a disk fault: [1,2), [2,4) and [4,8) are unwritten.
        var writer = new GatedWriter { PoisonTaskId = "task-000000" };
        writer.FailNext(1);
        var batch = Batch(8);

        Assert.Throws<IOException>(() => Bisector().Write(batch, writer));

        Assert.Equal(Enumerable.Range(1, 7).Select(i => PipelineHarness.Record(i).TaskId), batch.Select(r => r.TaskId));
        Assert.Empty(_committed);
        Assert.Equal(["in progress 7", "set aside task-000000", "in progress 7"], _events);
    }

    [Fact]
    public void Write_StorageFaultOnTheWholeBatch_KeepsItAllForTheRetry()
    {
        var writer = new GatedWriter();
        writer.FailNext(1);
        var batch = Batch(5);

        Assert.Throws<IOException>(() => Bisector().Write(batch, writer));

        Assert.Equal(5, batch.Count);
        Assert.Equal(1, writer.Attempts);
        Assert.Empty(_setAside);
    }
}

using System.Text;
using Ingest.Storage.ClickHouse;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// The ClickHouse writer's rollup deltas without a server (issue 26): what it takes back instead of SQLite's
/// insert-first probe, what a failed batch leaves, and the cap on what it remembers.
/// </summary>
public sealed class ClickHouseRollupRowsTests
{
    private static readonly double s_at = At(2026, 11, 22, 10);

    [Fact]
    public void Build_TaskWrittenAgain_TakesBackWhatThisInstanceCountedBefore_Issue26()
    {
        var rows = new ClickHouseRollupRows(WorkerGroups.Default);
        rows.Build([Finished("t", TaskStates.Retry, s_at) with { FinishedAt = null }], double.PositiveInfinity);
        rows.Commit();

        var groups = Text(rows.Build([Finished("t", TaskStates.Success, s_at + 60)], double.PositiveInfinity).Groups);

        Assert.Contains("\"total\":0,", groups, StringComparison.Ordinal);
        Assert.Contains("\"retry\":-1,", groups, StringComparison.Ordinal);
        Assert.Contains("\"success\":1,", groups, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BatchNotCommitted_IsForgotten_SoItsRetryTakesBackOnlyWhatWasWritten_Issue26()
    {
        var rows = new ClickHouseRollupRows(WorkerGroups.Default);
        rows.Build([Finished("t", TaskStates.Retry, s_at) with { FinishedAt = null }], double.PositiveInfinity);
        rows.Commit();
        InvocationRecord[] outcome = [Finished("t", TaskStates.Failure, s_at + 60)];

        // The first attempt's inserts failed: no Commit. The retry builds the very same deltas.
        var failed = rows.Build(outcome, double.PositiveInfinity);
        var retried = rows.Build(outcome, double.PositiveInfinity);

        Assert.Equal(Text(failed.Groups), Text(retried.Groups));
        Assert.Equal(Text(failed.Failures), Text(retried.Failures));
        Assert.Null(retried.Minutes);
    }

    [Fact]
    public void Commit_PastTheCap_ForgetsTheOldestAndCountsThem_Issue26()
    {
        var rows = new ClickHouseRollupRows(WorkerGroups.Default, maxRemembered: 2);
        foreach (var id in (string[])["a", "b", "a", "c"])
        {
            rows.Build([Finished(id, TaskStates.Success, s_at)], double.PositiveInfinity);
            rows.Commit();
        }

        Assert.Equal((2, 1L), (rows.Remembered, rows.Forgotten));
        // "b" was the oldest: written again, it counts again (nothing to take back); "a" is still remembered.
        Assert.Contains("\"total\":1,", Text(rows.Build([Finished("b", TaskStates.Success, s_at)], double.PositiveInfinity).Groups), StringComparison.Ordinal);
        Assert.Contains("\"total\":0,", Text(rows.Build([Finished("a", TaskStates.Success, s_at)], double.PositiveInfinity).Groups), StringComparison.Ordinal);
    }

    private static string Text(byte[]? body) => body is null ? "" : Encoding.UTF8.GetString(body);
}

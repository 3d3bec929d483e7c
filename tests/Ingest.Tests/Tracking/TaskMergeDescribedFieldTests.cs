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

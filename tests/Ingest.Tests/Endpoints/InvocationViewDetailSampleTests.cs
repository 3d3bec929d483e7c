using Ingest.Endpoints;
using Ingest.Storage;

namespace Ingest.Tests.Endpoints;

/// <summary>Issue 29: what the API says of a run whose details the detail sample left out (the invocation page shows it).</summary>
public class InvocationViewDetailSampleTests
{
    private static readonly double s_day = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public void View_OfASampledRow_SaysSampledWithTheRateAndRefusesRunAgain_Issue29()
    {
        var row = new InvocationRecord { TaskId = "a", Name = "shop.t", State = TaskStates.Success, StateAt = s_day, FinishedAt = s_day, DetailsSampled = true };

        var view = InvocationView.From(row, "stored").WithDetailSample(1000).WithRerun();

        Assert.Equal("sampled", view.DetailsNotKept);
        Assert.Equal(1000, view.DetailSample);
        Assert.False(view.Rerun!.Possible);
        Assert.Contains("--detail-sample", view.Rerun.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void View_OfAKeptRow_SaysNothingNotKept_Issue29()
    {
        var row = new InvocationRecord { TaskId = "a", State = TaskStates.Success, StateAt = s_day, FinishedAt = s_day, Args = "()" };

        var view = InvocationView.From(row, "stored").WithDetailSample(1000);

        Assert.Null(view.DetailsNotKept);
        Assert.Null(view.DetailSample);
    }
}

using Ingest.Storage.Retention;

namespace Ingest.Storage.Tests.Retention;

public class VacuumStepPolicyTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Record_CheapPages_GrowsAtMostTwofoldPerStep()
    {
        var policy = new VacuumStepPolicy(s_budget);
        var sizes = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var pages = policy.NextPages;
            policy.Record(pages, TimeSpan.FromMilliseconds(pages * 0.012)); // 12 ms per 1000 pages
            sizes.Add(policy.NextPages);
        }

        Assert.All(sizes.Zip(sizes.Skip(1)), p => Assert.True(p.Second <= p.First * 2));
        // Settles where a step fits the budget: 0.8 * 50 ms / 0.012 ms per page.
        Assert.InRange(policy.NextPages, 3000, 3400);
    }

    [Fact]
    public void Record_StepOverBudget_ShrinksAtOnceToWhatFits()
    {
        var policy = new VacuumStepPolicy(s_budget);
        policy.Record(1000, TimeSpan.FromMilliseconds(500)); // the 5M-row-drop cost: 0.5 ms per page

        Assert.Equal(80, policy.NextPages);
    }

    [Fact]
    public void Record_PathologicallySlowPages_NeverGoesBelowTheFloor()
    {
        var policy = new VacuumStepPolicy(s_budget);
        policy.Record(8, TimeSpan.FromSeconds(10));

        Assert.Equal(VacuumStepPolicy.MinPages, policy.NextPages);
    }

    [Fact]
    public void Record_NothingFreed_LeavesTheSizeAlone()
    {
        var policy = new VacuumStepPolicy(s_budget);
        policy.Record(0, TimeSpan.FromMilliseconds(1));

        Assert.Equal(VacuumStepPolicy.InitialPages, policy.NextPages);
    }
}

using Ingest.Insights.Objectives;

namespace Ingest.Tests.Insights.Objectives;

/// <summary>Issue 28: the objectives file, read strictly: what it sets is what counts, and a mistake is one line naming it.</summary>
public class ObjectivesParserTests
{
    [Fact]
    public void Parse_NameRateLatencyWindow_EachAsWritten_Issue28()
    {
        var objectives = ObjectivesParser.Parse("""
            {"objectives": [
              {"name": "payments", "task": "billing.charge", "success_rate": 0.999, "latency": "p95 <= 2s", "window": "30d"},
              {"name": "reports", "task": "reports.*", "latency": "p99 <= 30s of queue_wait"},
              {"task": "mail.send", "success_rate": 0.99}
            ]}
            """, "o.json");

        Assert.Equal(["payments", "reports", "mail.send"], objectives.Select(o => o.Name));
        Assert.Equal(new LatencyObjective(95, 2, QueueWait: false), objectives[0].Latency);
        Assert.Equal(TimeSpan.FromDays(30), objectives[0].Window);
        Assert.Equal(new LatencyObjective(99, 30, QueueWait: true), objectives[1].Latency);
        Assert.Equal(TimeSpan.FromDays(28), objectives[1].Window);
        Assert.Null(objectives[1].SuccessRate);
        Assert.Equal("p95 <= 2s of runtime", objectives[0].Latency!.ToString());
    }

    [Fact]
    public void Match_TwoObjectivesCoverATask_TheFirstInTheFileWins_Issue28()
    {
        var set = new ObjectiveSet(ObjectivesParser.Parse("""
            {"objectives": [{"name": "exact", "task": "reports.daily", "success_rate": 0.9}, {"name": "all", "task": "reports.*", "success_rate": 0.99}]}
            """, "o.json"));

        Assert.Equal("exact", set.Match("reports.daily")?.Name);
        Assert.Equal("all", set.Match("reports.weekly")?.Name);
        Assert.Null(set.Match("reportsX"));
        Assert.Null(set.Match("billing.charge"));
    }

    [Theory]
    [InlineData("""{"objectives": [{"task": "a", "sucess_rate": 0.9}]}""", "objective 1: unknown key 'sucess_rate'")]
    [InlineData("""{"objectives": [{"task": "a", "success_rate": 1.5}]}""", "objective 1 ('a'): 'success_rate' must be a number above 0 and below 1")]
    [InlineData("""{"objectives": [{"task": "a", "latency": "p95 < 2s"}]}""", "objective 1 ('a'): 'latency' must read like")]
    [InlineData("""{"objectives": [{"task": "a"}]}""", "objective 1 ('a'): set 'success_rate', 'latency' or both")]
    [InlineData("""{"objectives": [{"task": "a.*", "success_rate": 0.9}]}""", "a pattern needs a name")]
    [InlineData("""{"objectives": [{"task": "a", "success_rate": 0.9, "window": "2h"}]}""", "'window' must be whole hours from 1d to 90d")]
    [InlineData("""{"objectives": [{"task": "a", "success_rate": 0.9}, {"task": "a", "success_rate": 0.8}]}""", "objective 2: the name 'a' is used twice")]
    [InlineData("""objectives: []""", "not JSON")]
    [InlineData("""[]""", """expected {"objectives": [...]}""")]
    public void Parse_AMistake_OneLineNamingFileEntryAndWhat_Issue28(string json, string expected)
    {
        var e = Assert.Throws<ObjectivesFileException>(() => ObjectivesParser.Parse(json, "o.json"));

        Assert.StartsWith("o.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>Each objective is up to four series: past the cap the file is refused, not truncated.</summary>
    [Fact]
    public void Parse_MoreObjectivesThanTheCap_Refused_Issue28()
    {
        var entries = string.Join(",", Enumerable.Range(0, ObjectiveSet.MaxObjectives + 1).Select(i => $$"""{"task": "t{{i}}", "success_rate": 0.9}"""));

        var e = Assert.Throws<ObjectivesFileException>(() => ObjectivesParser.Parse($$"""{"objectives": [{{entries}}]}""", "o.json"));

        Assert.Contains("101 objectives, more than the 100 allowed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, null, null)]
    [InlineData(990, 10, 1.0, 0.0)]
    [InlineData(900, 100, 10.0, -9.0)]
    [InlineData(1000, 0, 0.0, 1.0)]
    public void SliBudget_GoodAndBadRuns_BurnRateAndBudgetLeft_Issue28(long good, long bad, double? burn, double? left)
    {
        var budget = new SliBudget("success", 0.99, good, bad, good, bad);

        Assert.Equal(burn, budget.BurnRate is { } b ? Math.Round(b, 6) : null);
        Assert.Equal(left, budget.BudgetLeft is { } l ? Math.Round(l, 6) : null);
    }
}

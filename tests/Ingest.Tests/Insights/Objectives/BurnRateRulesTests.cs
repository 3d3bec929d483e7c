using System.Text.RegularExpressions;
using Ingest.Insights.Objectives;
using Ingest.Tests.Support;

namespace Ingest.Tests.Insights.Objectives;

/// <summary>
/// Issue 28: the rules <c>ingest objectives rules FILE</c> writes pass promtool, and their alerts fire on an objective
/// burning its budget and stay quiet on one that is not (promtool's unit tests, on promtool's own clock).
/// </summary>
public class BurnRateRulesTests
{
    private const string File = """
        {"objectives": [
          {"name": "payments", "task": "billing.charge", "success_rate": 0.999, "window": "30d"},
          {"name": "reports", "task": "reports.*", "latency": "p95 <= 2s", "window": "30d"}
        ]}
        """;

    private static ObjectiveSet Objectives => new(ObjectivesParser.Parse(File, "objectives.json"));

    [Fact]
    public async Task PromtoolCheckRules_GeneratedForAFile_Passes_Issue28()
    {
        using var dir = new TempDirectory();
        await System.IO.File.WriteAllTextAsync(dir.File("rules.yml"), BurnRateRules.Generate(Objectives, "objectives.json"));

        var (code, output) = await Promtool.RunAsync(dir.Path, "check", "rules", "rules.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 11 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromtoolCheckRules_GeneratedForNoObjectives_Passes_Issue28()
    {
        using var dir = new TempDirectory();
        await System.IO.File.WriteAllTextAsync(dir.File("rules.yml"), BurnRateRules.Generate(ObjectiveSet.Empty, "objectives.json"));

        var (code, output) = await Promtool.RunAsync(dir.Path, "check", "rules", "rules.yml");

        Assert.True(code == 0, output);
    }

    /// <summary>Over 30 days, the workbook's own figures: 14.4x, 6x and 1x.</summary>
    [Fact]
    public void Generate_ThirtyDayWindow_TheWorkbooksBurnRates_Issue28()
    {
        var rules = BurnRateRules.Generate(Objectives, "objectives.json");

        Assert.Contains("ingest:objective_error_ratio:rate1h{objective=\"payments\",sli=\"success\"} >= 0.0144", rules, StringComparison.Ordinal);
        Assert.Contains("ingest:objective_error_ratio:rate6h{objective=\"payments\",sli=\"success\"} >= 0.006", rules, StringComparison.Ordinal);
        Assert.Contains("ingest:objective_error_ratio:rate3d{objective=\"payments\",sli=\"success\"} >= 0.001", rules, StringComparison.Ordinal);
        Assert.Contains("ingest:objective_error_ratio:rate1h{objective=\"reports\",sli=\"latency\"} >= 0.72", rules, StringComparison.Ordinal);
        Assert.Equal(6, Regex.Count(rules, "- alert: "));
    }

    [Fact]
    public async Task PromtoolTestRules_OneObjectiveBurning_ItsAlertsFireAndTheOthersStayQuiet_Issue28()
    {
        using var dir = new TempDirectory();
        await System.IO.File.WriteAllTextAsync(dir.File("rules.yml"), BurnRateRules.Generate(Objectives, "objectives.json"));
        await System.IO.File.WriteAllTextAsync(dir.File("test.yml"), UnitTests);

        var (code, output) = await Promtool.RunAsync(dir.Path, "test", "rules", "test.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private static string Fires(string alert, string summary, string description, string severity) => $"""
              - eval_time: 80m
                alertname: {alert}
                exp_alerts:
                  - exp_labels: {"{"}objective: payments, sli: success, severity: {severity}{"}"}
                    exp_annotations:
                      summary: "{summary}"
                      description: "{description}"
                      runbook_url: "docs/alerts.md#{alert.ToLowerInvariant()}"

        """;

    private static string Quiet(string alert) => $"""
              - eval_time: 80m
                alertname: {alert}
                exp_alerts: []

        """;

    private const string Summary = "payments: the success objective (success rate 99.9%) burns its 30d error budget at";

    /// <summary>payments fails 10% of its runs (100x its budget); reports runs within 2 s. Then everything is good.</summary>
    private static string UnitTests => $"""
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'ingest_objective_events_total{"{"}objective="payments",sli="success",outcome="good"{"}"}'
                values: '0+90x120'
              - series: 'ingest_objective_events_total{"{"}objective="payments",sli="success",outcome="bad"{"}"}'
                values: '0+10x120'
              - series: 'ingest_objective_events_total{"{"}objective="reports",sli="latency",outcome="good"{"}"}'
                values: '0+100x120'
              - series: 'ingest_objective_events_total{"{"}objective="reports",sli="latency",outcome="bad"{"}"}'
                values: '0+0x120'
            alert_rule_test:
        {Fires("IngestObjectiveFastBurn", $"{Summary} 14.4x or faster", "Over the last 1h and the last 5m, more than 1.44% of the runs of billing.charge were bad: at that rate 2% of the budget goes in 1h.", "page")}
        {Fires("IngestObjectiveSlowBurn", $"{Summary} 6x or faster", "Over the last 6h and the last 30m, more than 0.6% of the runs of billing.charge were bad: at that rate 5% of the budget goes in 6h.", "page")}
        {Fires("IngestObjectiveSteadyBurn", $"{Summary} 1x or faster", "Over the last 3d and the last 6h, more than 0.1% of the runs of billing.charge were bad: at that rate 10% of the budget goes in 3d.", "ticket")}
          - interval: 1m
            input_series:
              - series: 'ingest_objective_events_total{"{"}objective="payments",sli="success",outcome="good"{"}"}'
                values: '0+100x120'
              - series: 'ingest_objective_events_total{"{"}objective="payments",sli="success",outcome="bad"{"}"}'
                values: '0+0x120'
            alert_rule_test:
        {Quiet("IngestObjectiveFastBurn")}{Quiet("IngestObjectiveSlowBurn")}{Quiet("IngestObjectiveSteadyBurn")}
        """;
}

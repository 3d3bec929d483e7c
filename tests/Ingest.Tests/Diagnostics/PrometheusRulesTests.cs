using System.Text.RegularExpressions;
using Ingest.Tests.Support;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Issue 28: the rule files Ingest ships pass promtool, each alert has unit tests that make it fire and keep it
/// quiet, a runbook in docs/alerts.md, and the same rules in the Kubernetes PrometheusRule.
/// </summary>
public class PrometheusRulesTests
{
    private static string Deploy => Path.Combine(TestPaths.RepositoryRoot, "deploy", "prometheus");

    private static string KubernetesFile => Path.Combine(TestPaths.RepositoryRoot, "deploy", "kubernetes", "ingest-monitoring.yaml");

    /// <summary>The rule files, in the order the PrometheusRule holds their groups.</summary>
    private static readonly string[] s_ruleFiles = ["ingest-recording-rules.yml", "ingest-alerts.yml"];

    public static TheoryData<string> RuleFiles => [.. ShippedRuleFiles()];

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public async Task PromtoolCheckRules_ShippedRuleFile_Passes_Issue28(string file)
    {
        var (code, output) = await Promtool.RunAsync(Deploy, "check", "rules", file);

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleFiles_ShippedInDeploy_AreTheOnesThePrometheusRuleHolds_Issue28() =>
        Assert.Equal(s_ruleFiles.Order(StringComparer.Ordinal), ShippedRuleFiles());

    [Fact]
    public async Task PromtoolTestRules_UnitTestsOfEveryAlert_Pass_Issue28()
    {
        var tests = Directory.GetFiles(Path.Combine(Deploy, "tests"), "*.yml").Order(StringComparer.Ordinal).ToArray();

        var (code, output) = await Promtool.RunAsync(Deploy, ["test", "rules", .. tests]);

        Assert.True(code == 0, output);
        Assert.Equal(tests.Length, Regex.Count(output, @"^\s+SUCCESS\s*$", RegexOptions.Multiline));
    }

    /// <summary>promtool passes a test whose alert never fires as readily as one that does: each alert needs both cases.</summary>
    [Fact]
    public void UnitTests_EveryAlert_HasACaseWhereItFiresAndOneWhereItStaysQuiet_Issue28()
    {
        var fires = new HashSet<string>(StringComparer.Ordinal);
        var quiet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Deploy, "tests"), "*.yml"))
        {
            string? alert = null;
            foreach (var line in File.ReadLines(file))
            {
                if (Regex.Match(line, @"^\s+alertname: (\w+)") is { Success: true } m)
                {
                    alert = m.Groups[1].Value;
                }
                else if (alert is not null && Regex.IsMatch(line, @"^\s+exp_alerts: \[\]"))
                {
                    quiet.Add(alert);
                }
                else if (alert is not null && Regex.IsMatch(line, @"^\s+- exp_labels:"))
                {
                    fires.Add(alert);
                }
            }
        }

        var alerts = Names("alert");
        Assert.Equal(16, alerts.Count);
        Assert.Empty(alerts.Except(fires));
        Assert.Empty(alerts.Except(quiet));
    }

    [Fact]
    public void Runbook_EveryRule_HasItsParagraphsInDocsAlerts_Issue28()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "alerts.md"));
        var sections = Regex.Split(doc, @"^## ", RegexOptions.Multiline).Skip(1)
            .ToDictionary(s => s[..s.IndexOf('\n', StringComparison.Ordinal)].Trim(), s => s, StringComparer.Ordinal);
        var alerts = File.ReadAllText(Path.Combine(Deploy, "ingest-alerts.yml"));

        foreach (var alert in Names("alert"))
        {
            Assert.True(sections.TryGetValue(alert, out var section), $"docs/alerts.md has no section '## {alert}'");
            foreach (var part in (string[])["**What it means.**", "**In the console.**", "**What to do.**"])
            {
                Assert.True(section.Contains(part, StringComparison.Ordinal), $"the runbook of {alert} lacks {part}");
            }

            Assert.Contains($"runbook_url: docs/alerts.md#{alert.ToLowerInvariant()}\n", alerts, StringComparison.Ordinal);
        }

        foreach (var record in Names("record"))
        {
            Assert.True(sections["Recording rules"].Contains($"`{record}`", StringComparison.Ordinal), $"docs/alerts.md does not describe {record}");
        }
    }

    /// <summary>The PrometheusRule is the plain files' groups, indented under spec: editing one without the other fails here.</summary>
    [Fact]
    public async Task KubernetesPrometheusRule_HoldsTheGroupsOfThePlainFiles_Issue28()
    {
        var expected = string.Join("\n", s_ruleFiles.SelectMany(f => File.ReadAllLines(Path.Combine(Deploy, f)).SkipWhile(l => l != "groups:").Skip(1)).Select(l => l.Length == 0 ? l : "  " + l));
        var manifest = File.ReadAllText(KubernetesFile);
        var rule = manifest[manifest.IndexOf("kind: PrometheusRule", StringComparison.Ordinal)..];
        var groups = rule[(rule.IndexOf("\nspec:\n  groups:\n", StringComparison.Ordinal) + "\nspec:\n  groups:\n".Length)..].TrimEnd('\n');

        Assert.Equal(expected, groups);
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("k8s-rules.yml"), "groups:\n" + string.Join("\n", groups.Split('\n').Select(l => l.Length >= 2 ? l[2..] : l)) + "\n");
        var (code, output) = await Promtool.RunAsync(dir.Path, "check", "rules", "k8s-rules.yml");
        Assert.True(code == 0, output);
        Assert.Contains("kind: ServiceMonitor", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleConfig_LoadingTheRules_PassesPromtoolCheckConfig_Issue28()
    {
        var (code, output) = await Promtool.RunAsync(Path.Combine(Deploy, "example"), "check", "config", "prometheus.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 2 rule files found", output, StringComparison.Ordinal);
    }

    private static IEnumerable<string> ShippedRuleFiles() => Directory.GetFiles(Deploy, "*.yml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    /// <summary>The alert or record names of the shipped rule files, one per rule (a record may have several).</summary>
    internal static IReadOnlyList<string> Names(string kind) =>
        [.. s_ruleFiles.SelectMany(f => Regex.Matches(File.ReadAllText(Path.Combine(Deploy, f)), $@"^\s+- {kind}: (\S+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value))];

    /// <summary>The shipped rule files, by absolute path.</summary>
    internal static IReadOnlyList<string> RuleFilePaths => [.. s_ruleFiles.Select(f => Path.Combine(Deploy, f))];
}

using Ingest.Tests.Support;

namespace Ingest.Tests.Cli;

/// <summary>Issue 28: <c>ingest objectives rules FILE</c> prints the rules; a bad file is one line and exit 2, there and at serve.</summary>
public class ObjectivesVerbTests
{
    private const string Good = """{"objectives": [{"name": "payments", "task": "billing.charge", "success_rate": 0.999}]}""";

    private const string Bad = """{"objectives": [{"task": "billing.charge", "success_rate": 99.9}]}""";

    [Fact]
    public async Task ObjectivesRules_AGoodFile_PrintsTheRulesAndExitsZero_Issue28()
    {
        using var dir = new TempDirectory();
        await using var rules = await RulesAsync(dir, Good);

        Assert.Equal(0, await rules.WaitForExitAsync());
        Assert.Contains("- alert: IngestObjectiveFastBurn", rules.Output, StringComparison.Ordinal);
        Assert.Contains("ingest:objective_error_ratio:rate1h{objective=\"payments\",sli=\"success\"} >= 0.01344", rules.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObjectivesRules_ABadFile_OneLineAndExitTwo_Issue28()
    {
        using var dir = new TempDirectory();
        await using var rules = await RulesAsync(dir, Bad);

        Assert.Equal(2, await rules.WaitForExitAsync());
        Assert.Equal($"ingest objectives: {dir.File("objectives.json")}: objective 1 ('billing.charge'): 'success_rate' must be a number above 0 and below 1, e.g. 0.999",
            rules.Output.Trim());
    }

    [Fact]
    public async Task Serve_ABadObjectivesFile_OneLineNamingTheSettingAndExitTwo_Issue28()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("objectives.json"), Bad);
        await using var serve = IngestProcess.Start("serve", "--db", dir.File("x.db"), "--objectives", dir.File("objectives.json"));

        Assert.Equal(2, await serve.WaitForExitAsync());
        var line = Assert.Single(serve.Output.Trim().Split('\n'));
        Assert.StartsWith("ingest: invalid configuration: Ingest:Objectives:File (--objectives): ", line, StringComparison.Ordinal);
        Assert.Contains("'success_rate' must be a number above 0 and below 1", line, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("x.db")));
    }

    /// <summary><c>ingest objectives rules FILE</c> on <paramref name="json"/>, written as objectives.json in <paramref name="dir"/>.</summary>
    private static async Task<IngestProcess> RulesAsync(TempDirectory dir, string json)
    {
        await File.WriteAllTextAsync(dir.File("objectives.json"), json);
        return IngestProcess.Start("objectives", "rules", dir.File("objectives.json"));
    }
}

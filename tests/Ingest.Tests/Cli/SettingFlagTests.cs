using Ingest.Cli;
using Ingest.Tests.Support;

namespace Ingest.Tests.Cli;

/// <summary>
/// Issue 23: a bad value on the command line reads as the same bad value in the environment (one line naming the
/// key, the flag and the environment variable), and is refused before anything is written.
/// </summary>
public class SettingFlagTests
{
    public static TheoryData<string> NumericFlags()
    {
        var (_, pipeline, serveOnly) = IngestCli.Settings();
        var data = new TheoryData<string>();
        foreach (var s in pipeline.Concat(serveOnly).Where(s => s.Option.HelpName is "N" or "SECONDS" or "MS"))
        {
            data.Add(s.Option.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NumericFlags))]
    public void Collect_EveryNumericFlagGivenText_OneLineNamingKeyFlagAndEnvironment(string flag)
    {
        var (db, pipeline, serveOnly) = IngestCli.Settings();
        SettingOption[] all = [db, .. pipeline, .. serveOnly];
        var setting = all.Single(s => s.Option.Name == flag);
        var command = new System.CommandLine.RootCommand();
        foreach (var s in all)
        {
            command.Add(s.Option);
        }

        var parse = command.Parse([flag, "abc"]);
        var error = new StringWriter();

        var values = IngestCli.Collect(parse, all, "ingest", error);

        Assert.Null(values);
        var env = setting.Key.Replace(":", "__", StringComparison.Ordinal);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ingest: invalid configuration: {setting.Key} ({flag}, environment {env}): 'abc' is not a valid ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadFlagValue_SameLineAsTheEnvironmentKey_AndNothingWritten_Issue23()
    {
        using var dir = new TempDirectory();
        var db = Path.Combine(dir.Path, "data", "ingest.db");

        await using var byFlag = IngestProcess.Start("--db", db, "--batch-size", "abc");
        await using var byEnvironment = IngestProcess.Start(
            new Dictionary<string, string> { ["Ingest__Pipeline__BatchSize"] = "abc" }, "--db", db);

        Assert.Equal(2, await byFlag.WaitForExitAsync());
        Assert.Equal(2, await byEnvironment.WaitForExitAsync());
        const string Line = "ingest: invalid configuration: Ingest:Pipeline:BatchSize (--batch-size, environment Ingest__Pipeline__BatchSize): 'abc' is not a valid whole number";
        Assert.Equal(Line, byFlag.Output.Trim());
        Assert.Equal(Line, byEnvironment.Output.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task Serve_ValueOutOfRange_RefusedBeforeThePasswordAndUsersFilesAreWritten_Issue23()
    {
        using var dir = new TempDirectory();
        var db = Path.Combine(dir.Path, "data", "ingest.db");

        // Sign-in on (the default), so a start that got as far as auth would write DB.users and DB.admin-password.
        await using var serve = IngestProcess.Start(
            new Dictionary<string, string> { ["Ingest__Auth__Disabled"] = "false" }, "--db", db, "--retention-days", "-3");

        Assert.Equal(2, await serve.WaitForExitAsync());
        Assert.Contains("Ingest:Retention:Days (--retention-days, environment Ingest__Retention__Days)", serve.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task Help_NamesBothBrokersAndEndsWithoutTheParsersBoilerplate_Issue23()
    {
        await using var help = IngestProcess.Start("serve", "--help");

        Assert.Equal(0, await help.WaitForExitAsync());
        Assert.Contains("RabbitMQ or Redis", help.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Additional Arguments", help.Output, StringComparison.Ordinal);
    }
}

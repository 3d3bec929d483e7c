using System.CommandLine;
using Ingest.Insights.Objectives;

namespace Ingest.Cli;

/// <summary>
/// <c>ingest objectives rules FILE</c>: writes the Prometheus recording and burn-rate alert rules for the objectives
/// file to standard output (<c>&gt; rules.yml</c>), to be reviewed and committed like any rule file. A bad file is one
/// line on standard error and exit 2, as at <c>serve --objectives</c>.
/// </summary>
internal static class ObjectivesVerb
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "The objectives file (JSON), as given to serve --objectives." };
        var rules = new Command("rules", "Write the Prometheus rules (error ratios, multi-window burn-rate alerts) for an objectives file to standard output.") { file };
        rules.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            try
            {
                var text = BurnRateRules.Generate(ObjectiveSet.Load(path), path);
                await Console.Out.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (ObjectivesFileException e)
            {
                await Console.Error.WriteLineAsync($"ingest objectives: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return new Command("objectives", "Per-task objectives (--objectives FILE): their Prometheus rules.") { rules };
    }
}

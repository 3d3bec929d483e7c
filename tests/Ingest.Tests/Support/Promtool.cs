using System.Diagnostics;
using System.Text;

namespace Ingest.Tests.Support;

/// <summary>
/// Debian's <c>promtool</c> (package prometheus, which scripts/test installs): <c>check rules</c>, <c>check config</c>
/// and <c>test rules</c> on the rule files the repository ships. Its path is INGEST_TEST_PROMTOOL when scripts/test
/// exports it, else /usr/bin/promtool.
/// </summary>
internal static class Promtool
{
    public static string Path => Environment.GetEnvironmentVariable("INGEST_TEST_PROMTOOL") is { Length: > 0 } p ? p : "/usr/bin/promtool";

    /// <summary>Runs <c>promtool ARGS</c> in <paramref name="workingDirectory"/>; returns its exit code and its output (both streams).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"No promtool at {Path}: scripts/test installs Debian's prometheus package (apt-get install prometheus).");
        }

        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        // Go reads the clock without libc: faketime would only slow it down. Rule tests run on promtool's own clock.
        psi.Environment.Remove("LD_PRELOAD");
        psi.Environment.Remove("FAKETIME");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await Wait.ForAsync(p.WaitForExitAsync(), $"promtool {string.Join(' ', args)}", TimeSpan.FromSeconds(120));
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }

        output.Append(await stdout).Append(await stderr);
        return (p.ExitCode, output.ToString());
    }
}

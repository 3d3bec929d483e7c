using System.Text.RegularExpressions;
using Ingest.Tracking;

namespace Ingest.Insights.Objectives;

/// <summary>
/// One entry of the objectives file: the tasks it covers (a name, or a pattern where <c>*</c> is any run of
/// characters), a success-rate objective, a latency objective, or both, over a window (28 days by default).
/// </summary>
/// <param name="Name">Unique in the file; the <c>objective</c> label of its series and alerts.</param>
/// <param name="Task">The task name or pattern.</param>
/// <param name="SuccessRate">Succeeded over finished (succeeded + failed), e.g. 0.999; null when not set.</param>
/// <param name="Latency">The latency objective; null when not set.</param>
/// <param name="Window">The window the error budget is counted over.</param>
public sealed record TaskObjective(string Name, string Task, double? SuccessRate, LatencyObjective? Latency, TimeSpan Window)
{
    /// <summary>The success-rate SLI's label.</summary>
    public const string SuccessSli = "success";

    /// <summary>The latency SLI's label.</summary>
    public const string LatencySli = "latency";

    private readonly Regex _pattern = new(
        "^" + string.Join(".*", Task.Split('*').Select(Regex.Escape)) + "$",
        RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>Whether <paramref name="taskName"/> is one this objective covers.</summary>
    public bool Matches(string taskName) => _pattern.IsMatch(taskName);

    /// <summary>The SLIs set, each with its target: success first.</summary>
    public IEnumerable<(string Sli, double Target)> Targets()
    {
        if (SuccessRate is { } rate)
        {
            yield return (SuccessSli, rate);
        }

        if (Latency is { } latency)
        {
            yield return (LatencySli, latency.Target);
        }
    }

    /// <summary>What the SLI counters (Tracking) need of it.</summary>
    public ObjectiveSli Sli() => new(
        Name, Matches, SuccessRate is not null,
        Latency is { QueueWait: false } runtime ? runtime.Seconds : null,
        Latency is { QueueWait: true } wait ? wait.Seconds : null);
}

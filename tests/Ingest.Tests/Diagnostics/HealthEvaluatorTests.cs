using Ingest.Accounting;
using Ingest.Diagnostics;
using Ingest.Pipeline;

namespace Ingest.Tests.Diagnostics;

public class HealthEvaluatorTests
{
    private static readonly TimeSpan s_stallThreshold = TimeSpan.FromSeconds(30);

    // What each reason's explanation must say. A new DropReason fails the test until it has its own explanation
    // and its word here: a catch-all once reported a memory_budget drop on /healthz as a shutdown.
    private static readonly Dictionary<DropReason, string> s_mustMention = new()
    {
        [DropReason.QueueFull] = "full",
        [DropReason.WriteFailed] = "could not store",
        [DropReason.Shutdown] = "shutdown",
        [DropReason.MemoryBudget] = "memory",
        [DropReason.OutsideWindow] = "retention keeps",
    };

    [Fact]
    public void Explain_EveryDropReason_HasItsOwnExplanation()
    {
        var explanations = new Dictionary<DropReason, string>();
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            var name = reason.Name();
            var health = HealthEvaluator.Evaluate(
                FlushLoopStatus.Idle, TimeSpan.Zero, backlog: 0, consecutiveFailures: 0, (TimeSpan.FromSeconds(1), reason), s_stallThreshold);

            Assert.Equal(HealthStatus.Degraded, health.Status);
            var line = Assert.Single(health.Reasons);
            var prefix = $"({name}): ";
            var at = line.IndexOf(prefix, StringComparison.Ordinal);
            Assert.True(at >= 0, $"{reason}: the reason does not name {name}: {line}");
            var explanation = line[(at + prefix.Length)..];
            Assert.True(s_mustMention.TryGetValue(reason, out var word), $"{reason} is new: give it an explanation and its word in this test");
            Assert.True(explanation.Contains(word, StringComparison.OrdinalIgnoreCase), $"{reason}'s explanation does not mention {word}: {explanation}");
            explanations[reason] = explanation;
        }

        var shared = explanations.GroupBy(e => e.Value).Where(g => g.Count() > 1).Select(g => string.Join(", ", g.Select(e => e.Key)));
        Assert.Empty(shared);
    }
}

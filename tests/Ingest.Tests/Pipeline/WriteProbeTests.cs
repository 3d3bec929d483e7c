using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

/// <summary>
/// The flush loop's write probe (issue 24): after a full disk had room again, <c>/healthz/ready</c> stayed 503 for
/// as long as nothing new arrived, and behind a Service with HTTP-only ingest nothing could.
/// </summary>
public class WriteProbeTests
{
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(100);

    private static PipelineOptions Options() => new()
    {
        ChannelCapacity = 100,
        BatchSize = 10,
        MaxBatchWait = TimeSpan.Zero,
        IdleTick = TimeSpan.FromSeconds(1),
        MaxWriteAttempts = 2,
    };

    [Fact]
    public async Task Readiness_CommitsFailedThenTheStoreTakesWritesAgain_ReturnsWithNoNewRecord_Issue24()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var writer = new GatedWriter();
        writer.FailNext(int.MaxValue);
        await using var h = new PipelineHarness(Options(), time, () => writer);
        await h.StartAsync();

        h.Channel.Write(PipelineHarness.Record(0));
        await AdvanceUntilAsync(time, () => h.Counters.Dropped(DropReason.WriteFailed) == 1, "the batch to be given up after its two attempts");
        Assert.False(h.Status.Readiness().IsOk);

        // While the store still refuses, the probes fail and readiness stays 503 on the truth.
        await AdvanceUntilAsync(time, () => writer.Probes >= 3, "three write probes");
        Assert.False(h.Status.Readiness().IsOk);
        Assert.Equal(2, h.State.ConsecutiveFailures);

        writer.FailNext(0); // the disk has room again; nothing new arrives
        await AdvanceUntilAsync(time, () => h.Status.Readiness().IsOk, "readiness to return without a new record");

        Assert.Equal(0, h.State.ConsecutiveFailures);
        Assert.Empty(writer.Written);
        Assert.Equal(1, h.Counters.InvocationsReceived); // the one record that was given up
        Assert.True(h.State.WriteProbesFailed >= 3, $"{h.State.WriteProbesFailed} failed probes");
        Assert.Equal(h.State.WriteProbesFailed + 1, h.State.WriteProbes);
    }

    [Fact]
    public async Task WriteProbe_CommitsSucceeding_NeverRuns()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var writer = new GatedWriter();
        await using var h = new PipelineHarness(Options(), time, () => writer);
        await h.StartAsync();
        h.Channel.Write(PipelineHarness.Record(0));
        await AdvanceUntilAsync(time, () => h.Counters.InvocationsFlushed == 1, "the commit");

        // Thirty idle ticks, each a turn of the loop in which a probe could run.
        await AdvanceUntilAsync(time, () => time.GetUtcNow() >= new DateTimeOffset(2026, 11, 22, 12, 0, 30, TimeSpan.Zero), "thirty seconds");

        Assert.Equal(0, writer.Probes);
        Assert.Equal(0, h.State.WriteProbes);
    }

    [Fact]
    public void ProbeDelay_FollowsTheRetriesBackoffWithoutAnEnd()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), FlushFailurePolicy.ProbeDelay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1600), FlushFailurePolicy.ProbeDelay(5));
        Assert.Equal(TimeSpan.FromSeconds(5), FlushFailurePolicy.ProbeDelay(8));
        Assert.Equal(TimeSpan.FromSeconds(5), FlushFailurePolicy.ProbeDelay(10_000));
    }

    /// <summary>Moves the fake clock a tenth of a second per look until the condition holds (the loop's waits are on it).</summary>
    private static Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition, string what) =>
        Wait.UntilAsync(() =>
        {
            if (condition())
            {
                return true;
            }

            time.Advance(s_step);
            return false;
        }, what);
}

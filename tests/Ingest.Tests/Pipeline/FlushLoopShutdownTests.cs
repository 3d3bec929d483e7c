using Ingest.Pipeline;
using Ingest.Tests.Support;

namespace Ingest.Tests.Pipeline;

public class FlushLoopShutdownTests
{
    [Fact]
    public async Task Stop_ImmediatelyAfterStart_StillDrainsEverything()
    {
        // Regression: a stop that lands before the loop's first maintenance step made it throw, mark itself
        // failed and skip the drain (seen as a replay that lost its unfinished tasks).
        for (var round = 0; round < 20; round++)
        {
            var writer = new GatedWriter();
            await using var h = new PipelineHarness(new PipelineOptions { ChannelCapacity = 1000, BatchSize = 100, MaxBatchWait = TimeSpan.Zero }, TestClock.Moving, () => writer);
            for (var i = 0; i < 50; i++)
            {
                h.Channel.Write(PipelineHarness.Record(i));
            }

            await h.StartAsync();
            await h.StopAsync();

            Assert.Equal(FlushLoopStatus.Stopped, h.State.Status);
            Assert.Equal(50, h.Counters.InvocationsFlushed);
        }
    }
}

using Ingest.Pipeline;

namespace Ingest.Tests.Pipeline;

public class FlushFailurePolicyTests
{
    [Fact]
    public void NextDelay_DoublesFromTheFirstDelayUpToTheCapThenGivesUp()
    {
        var policy = new FlushFailurePolicy(maxAttempts: 9);

        var delays = Enumerable.Range(1, 9).Select(policy.NextDelay).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(100), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(3200), delays[5]);
        Assert.Equal(TimeSpan.FromSeconds(5), delays[7]);
        Assert.Null(delays[8]);
    }

    [Fact]
    public void NextDelay_SingleAttempt_DropsAtOnce() => Assert.Null(new FlushFailurePolicy(1).NextDelay(1));
}

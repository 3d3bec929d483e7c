using Ingest.Sources;
using Ingest.Sources.Amqp;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Sources;

public class ReconnectBackoffTests
{
    private static readonly TimeSpan s_redisCap = TimeSpan.FromSeconds(30);

    [Fact]
    public void NextDelay_AfterEachFailure_DoublesFromOneSecondAndStaysAtTheCap()
    {
        var backoff = new ReconnectBackoff(s_redisCap);

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();

        Assert.Equal(new double[] { 1, 2, 4, 8, 16, 30, 30, 30 }, delays);
    }

    [Fact]
    public void NextDelay_WithAmqpsDefaultCap_IsTheSequenceTheAmqpSourceAlwaysWaited()
    {
        var backoff = new ReconnectBackoff(new AmqpOptions().MaxReconnectDelay);

        var delays = Enumerable.Range(0, 7).Select(_ => backoff.NextDelay()).ToArray();

        Assert.Equal(new double[] { 1, 2, 4, 8, 16, 30, 30 }, delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void NextDelay_CapBetweenTwoDoublings_StopsExactlyAtTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(750), multiplier: 3);

        var delays = Enumerable.Range(0, 4).Select(_ => backoff.NextDelay()).ToArray();

        Assert.Equal(new[] { TimeSpan.FromMilliseconds(750), TimeSpan.FromMilliseconds(2250), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5) }, delays);
    }

    [Fact]
    public void Reset_AfterASuccess_NextFailureWaitsTheInitialDelayAgain()
    {
        var backoff = new ReconnectBackoff(s_redisCap);
        for (var i = 0; i < 6; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Current);
        Assert.Equal(new double[] { 1, 2, 4 }, Enumerable.Range(0, 3).Select(_ => backoff.NextDelay().TotalSeconds).ToArray());
    }

    [Fact]
    public void Current_IsTheDelayTheNextFailureTakes_WithoutTakingIt()
    {
        var backoff = new ReconnectBackoff(s_redisCap);
        backoff.NextDelay();

        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Current);
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Current);
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.NextDelay());
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.Current);
    }

    [Fact]
    public async Task WaitAsync_OnAFakeClock_CompletesOnlyOnceTheClockHasAdvancedByTheDelay()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var backoff = new ReconnectBackoff(s_redisCap);
        backoff.NextDelay();
        backoff.NextDelay();

        var wait = backoff.WaitAsync(time, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromTicks(1));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(TimeSpan.FromSeconds(4), await Wait.ForAsync(wait, "the 4 s wait to end once the clock moved 4 s"));
        Assert.Equal(TimeSpan.FromSeconds(8), backoff.Current);
    }

    [Fact]
    public async Task WaitAsync_StoppedWhileWaiting_ThrowsOperationCanceledAtOnce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var backoff = new ReconnectBackoff(s_redisCap);
        using var stopping = new CancellationTokenSource();

        var wait = backoff.WaitAsync(time, stopping.Token);
        Assert.False(wait.IsCompleted);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wait.ForAsync(wait, "the cancelled wait to end"));
    }

    [Fact]
    public void NextDelay_WithJitter_DrawsFromTheUpperHalfAndTheGrowthIsUnchanged()
    {
        var lowest = new ReconnectBackoff(s_redisCap, jitter: new FixedRandom(0.999_999_999));
        var highest = new ReconnectBackoff(s_redisCap, jitter: new FixedRandom(0));

        var low = Enumerable.Range(0, 7).Select(_ => lowest.NextDelay().TotalSeconds).ToArray();
        var high = Enumerable.Range(0, 7).Select(_ => highest.NextDelay().TotalSeconds).ToArray();

        Assert.Equal(new double[] { 1, 2, 4, 8, 16, 30, 30 }, high);
        Assert.Equal(new double[] { 0.5, 1, 2, 4, 8, 15, 15 }, low.Select(s => Math.Round(s, 3)));
    }

    [Fact]
    public void Constructor_MultiplierBelowOne_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(s_redisCap, multiplier: 0.5));
    }

    /// <summary>A Random whose every draw is one value, so a jittered delay is known in advance.</summary>
    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}

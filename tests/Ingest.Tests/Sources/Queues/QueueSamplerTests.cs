using System.Diagnostics.Metrics;
using Ingest.Pipeline;
using Ingest.Sources.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Sources.Queues;

/// <summary>Issue 16: the sampler's bookkeeping, against a scripted broker, on a fake clock.</summary>
public sealed class QueueSamplerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private QueueLengths Lengths(QueueSampleBuffer buffer, int maxQueues = 100, string queues = "celery") => new(
        new QueueSamplingOptions { Queues = queues, MaxQueues = maxQueues }, buffer, _time, _services.GetRequiredService<IMeterFactory>());

    /// <summary>ingest.queue_sampling.failures as a scrape reads it now, by its reason tag.</summary>
    private Dictionary<string, long> FailuresByReason()
    {
        using var collector = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            _services.GetRequiredService<IMeterFactory>(), Ingest.Tracking.CeleryMetrics.MeterName, "ingest.queue_sampling.failures");
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["reason"]!, m => m.Value);
    }

    private QueueSampler Sampler(QueueLengths lengths, IQueueLengthProbe probe) =>
        new([probe], lengths, new QueueSamplingOptions { Timeout = TimeSpan.FromSeconds(5) }, _time, NullLogger<QueueSampler>.Instance);

    [Fact]
    public async Task SampleOnce_AsksForTheConfiguredAndTheSeenQueues_AndStoresOneSampleEach()
    {
        var buffer = new QueueSampleBuffer();
        var lengths = Lengths(buffer);
        lengths.Note("orders");
        lengths.Note("orders");
        lengths.Note(null);
        var probe = new ScriptedProbe(q => q == "orders" ? 12 : null);

        await Sampler(lengths, probe).SampleOnceAsync(CancellationToken.None);

        Assert.Equal(["celery", "orders"], probe.Asked.Single());
        Assert.Equal(
            [("celery", 0L, false), ("orders", 12L, true)],
            lengths.Latest().Select(l => (l.Queue, l.Reading.Length, l.Reading.Exists)));
        Assert.Equal(
            [("celery", 0L), ("orders", 12L)],
            buffer.Take(100).Select(s => (s.Queue, s.Length)));
    }

    [Fact]
    public void Note_PastTheQueueCap_OrAnUnusableName_IsCountedNotSampled()
    {
        var lengths = Lengths(new QueueSampleBuffer(), maxQueues: 2, queues: "");
        lengths.Note("a");
        lengths.Note("b");
        lengths.Note("c");
        lengths.Note(new string('x', QueueLengths.MaxNameLength + 1));

        Assert.Equal(["a", "b"], lengths.Queues);
        Assert.Equal(2L, Describe(lengths, "unsampled_events"));
    }

    [Fact]
    public async Task ABrokerThatDoesNotAnswer_IsGivenUpAtTheTimeout_Counted_AndOldReadingsStopShowing()
    {
        var lengths = Lengths(new QueueSampleBuffer());
        var probe = new ScriptedProbe(_ => 3);
        var sampler = Sampler(lengths, probe);
        await sampler.SampleOnceAsync(CancellationToken.None);
        Assert.Single(lengths.Latest());

        probe.Hang = true;
        var sampling = sampler.SampleOnceAsync(CancellationToken.None);
        await probe.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(5));
        await sampling.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1L, Describe(lengths, "failures"));
        Assert.Equal(1L, FailuresByReason()["timeout"]);
        Assert.Contains("no answer within 5 s", (string)lengths.Describe().GetType().GetProperty("last_error")!.GetValue(lengths.Describe())!, StringComparison.Ordinal);
        // Three intervals without a reading: no number rather than a stale one.
        _time.Advance(TimeSpan.FromSeconds(45));
        Assert.Empty(lengths.Latest());
    }

    [Fact]
    public async Task ABrokerNotConnected_IsNotAsked_AndTheMissedSampleIsCounted()
    {
        var lengths = Lengths(new QueueSampleBuffer());
        var probe = new ScriptedProbe(_ => 1) { Connected = false };

        await Sampler(lengths, probe).SampleOnceAsync(CancellationToken.None);

        Assert.Empty(probe.Asked);
        Assert.Equal(1L, Describe(lengths, "failures"));
        // Issue 25: counted with its reason on /metrics, not only as a total.
        var byReason = FailuresByReason();
        Assert.Equal(1L, byReason["not_connected"]);
        Assert.Equal(0L, byReason["timeout"]);
        Assert.Equal(0L, byReason["error"]);
    }

    [Fact]
    public void Buffer_PastItsCapacity_DropsOldestFirst_AndCountsThem()
    {
        var buffer = new QueueSampleBuffer();
        for (var i = 0; i < QueueSampleBuffer.Capacity + 5; i++)
        {
            buffer.Add(new("q", i, i, null));
        }

        Assert.Equal(5, buffer.Dropped);
        Assert.Equal(5, buffer.Take(1).Single().At);
    }

    private static long Describe(QueueLengths lengths, string property) =>
        (long)lengths.Describe().GetType().GetProperty(property)!.GetValue(lengths.Describe())!;

    private sealed class ScriptedProbe(Func<string, long?> length) : IQueueLengthProbe
    {
        public List<IReadOnlyList<string>> Asked { get; } = [];

        public bool Hang { get; set; }

        public bool Connected { get; set; } = true;

        public SemaphoreSlim Entered { get; } = new(0);

        public string Name => "scripted";

        public bool CanMeasure => Connected;

        public async Task<IReadOnlyList<QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
        {
            Asked.Add(queues);
            if (Hang)
            {
                Entered.Release();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return [.. queues.Select(q => new QueueReading(q, length(q), null))];
        }
    }
}

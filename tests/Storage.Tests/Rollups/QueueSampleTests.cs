using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Rollups;

/// <summary>Issue 16: broker queue samples are stored in the day of their time, read back in buckets, and go with their day.</summary>
public sealed class QueueSampleTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options() => new() { DatabasePath = _dir.File("q.db") };

    [Fact]
    public void QueueLengths_BucketsReadingsPerQueue_WithLargestMeanAndLastConsumers()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        var t = (long)At(2026, 11, 22, 10, 0);
        writer.WriteQueueSamples(
        [
            new("orders", t, 10, 2), new("orders", t + 15, 50, 2), new("orders", t + 30, 20, 3), new("orders", t + 45, 40, 1),
            new("orders", t + 60, 5, 4),
            new("mail", t + 15, 7, null),
        ]);
        // Sampled again within the same second: the later reading stands.
        writer.WriteQueueSamples([new("mail", t + 15, 8, null)]);

        var points = new RollupReader(options).QueueLengths(t, t + 120, 60);

        Assert.Equal(
            [("mail", t, 8L, 8.0, (int?)null, 1), ("orders", t, 50L, 30.0, (int?)1, 4), ("orders", t + 60, 5L, 5.0, (int?)4, 1)],
            points.Select(p => (p.Queue, p.Bucket, p.Max, p.Mean, p.Consumers, p.Samples)));
        Assert.Equal(["orders", "orders"], new RollupReader(options).QueueLengths(t, t + 120, 60, "orders").Select(p => p.Queue));
        // The range is half-open: a reading at 'until' is not in it.
        Assert.Single(new RollupReader(options).QueueLengths(t, t + 60, 60, "orders"));
    }

    [Fact]
    public void QueueSamples_AcrossMidnight_LandInTheirDays_AndGoWithTheDroppedDay()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        var midnight = (long)At(2026, 11, 22, 0, 0);
        writer.WriteQueueSamples([new("orders", midnight - 15, 3, 1), new("orders", midnight, 4, 1)]);

        Assert.Equal(2, new RollupReader(options).QueueLengths(midnight - 60, midnight + 60, 15).Count);
        Assert.True(writer.DropPartition(new DayPartition(new DateOnly(2026, 11, 21))));

        var left = Assert.Single(new RollupReader(options).QueueLengths(midnight - 60, midnight + 60, 15));
        Assert.Equal((midnight, 4L), (left.Bucket, left.Max));
        Assert.False(PartitionCatalog.TableExists(writer.Connection, "queue_lengths_20261121"));
    }

    [Fact]
    public void QueueLengths_OnAFileThatNeverSampled_IsEmpty()
    {
        var options = Options();
        using (var writer = new InvocationWriter(options, _time))
        {
            writer.WriteBatch([Finished("a1", TaskStates.Success, At(2026, 11, 22, 10, 5))]);
        }

        Assert.Empty(new RollupReader(options).QueueLengths(At(2026, 11, 22, 0), At(2026, 11, 23, 0), 60));
    }
}

using Ingest.Accounting;
using Ingest.Diagnostics;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Diagnostics;

/// <summary>Issue 24: the WAL grew from 4 to 280 MiB behind a read held open while <c>/healthz</c> said ok.</summary>
public class StorageHealthTests
{
    private const long MiB = 1024 * 1024;
    private static readonly HealthOptions s_limits = new();

    [Fact]
    public void Reasons_WalOverTheLimitWithFramesHeldBack_NamesItsSizeAndTheFrames_Issue24()
    {
        var facts = new StorageFacts { PageSize = 4096, WalBytes = 280 * MiB, WalFrames = 71_000, WalFramesCheckpointed = 1_100 };

        var reason = Assert.Single(StorageHealth.Reasons(facts, oldestRead: null, openReads: 0, s_limits));

        Assert.Equal(
            "the WAL is 280 MiB, over the 256 MiB limit (--max-wal-mb): checkpoints are not keeping up; "
            + "a checkpoint could copy 1100 of its 71000 frames, so a read holds an older snapshot",
            reason);
    }

    [Fact]
    public void Reasons_WalFileOverTheLimitButResetSinceAndHoldingLittle_IsNoReason()
    {
        // SQLite truncates the WAL only to 64 MiB at a reset: under a lower limit the file size alone would never clear.
        var facts = new StorageFacts { PageSize = 4096, WalBytes = 64 * MiB, WalFrames = 12, WalFramesCheckpointed = 12 };

        Assert.Empty(StorageHealth.Reasons(facts, null, 0, new HealthOptions { MaxWalMb = 16 }));
    }

    [Fact]
    public void Reasons_WalUnderTheLimit_IsNoReason() =>
        Assert.Empty(StorageHealth.Reasons(new StorageFacts { PageSize = 4096, WalBytes = 4 * MiB }, null, 0, s_limits));

    [Theory]
    [InlineData(59, false)]
    [InlineData(75, true)]
    public void Reasons_AReadOpenPastTheLimit_NamesItsAge_Issue24(int seconds, bool reported)
    {
        var reasons = StorageHealth.Reasons(new StorageFacts(), TimeSpan.FromSeconds(seconds), 2, s_limits).ToList();

        if (reported)
        {
            Assert.Equal("a read has held the WAL for 75 s (limit 60 s; reads open now: 2): no checkpoint can pass its snapshot, so the WAL grows until it ends", Assert.Single(reasons));
        }
        else
        {
            Assert.Empty(reasons);
        }
    }

    [Fact]
    public void Evaluate_AReadOfThisProcessHeldOpen_IsDegradedWhileItStaysAndOkOnceItEnds_Issue24()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var options = new PipelineOptions();
        var counters = new IngestCounters(time);
        var channel = new InvocationChannel(options, counters, time);
        var reads = new OpenReads(time);
        var status = new IngestStatus(
            counters, new FlushLoopState(time), channel, new TaskTracker(new TrackerOptions(), channel, counters, time, channel.Budget),
            new WorkerRegistry(new WorkerOptions(), time), options, time, [], health: new HealthOptions(), reads: reads);
        using var dir = new TempDirectory();
        var storage = new StorageOptions { DatabasePath = dir.File("x.db") };
        using (var writer = new Ingest.Storage.Writing.InvocationWriter(storage, time))
        {
        }

        using var read = SqliteConnections.OpenReader(SqliteConnections.ReaderConnectionString(storage), reads);
        time.Advance(TimeSpan.FromSeconds(75));

        var health = status.Evaluate();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("a read has held the WAL for 75 s (limit 60 s; reads open now: 1)", Assert.Single(health.Reasons), StringComparison.Ordinal);

        read.Close();
        Assert.Equal(HealthStatus.Ok, status.Evaluate().Status);
    }
}

using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Retention;
using Ingest.Storage.Workers;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Pipeline;

/// <summary>
/// Worker states go through the flush loop to the day's worker table and come back at the next start (issue 25:
/// the registry was memory only, so a restart, or a serve after a replay, showed no workers).
/// </summary>
public class WorkerStateStepTests
{
    private static FlushLoop Loop(StorageOptions storage, WorkerStateBuffer buffer)
    {
        var options = new PipelineOptions { BatchSize = 100, MaxBatchWait = TimeSpan.Zero };
        var counters = new IngestCounters(TestClock.Moving);
        var channel = new InvocationChannel(options, counters, TestClock.Moving);
        var tracker = new TaskTracker(new TrackerOptions(), channel, counters, TestClock.Moving, channel.Budget);
        return new FlushLoop(
            channel, tracker, () => new SqliteBatchWriter(storage, new RetentionOptions(), new StorageStatus(), TestClock.Moving, NullLogger.Instance),
            options, counters, new FlushLoopState(TestClock.Moving), TestClock.Moving, TestLogger.For<FlushLoop>(), workers: buffer);
    }

    private static async Task StopAsync(FlushLoop loop)
    {
        using var deadline = new CancellationTokenSource(Wait.Default);
        await loop.StopAsync(deadline.Token);
    }

    [Fact]
    public async Task FlushLoop_RegistryChanges_ReachTheWorkerTableAndAreRestoredAtTheNextStart_Issue25()
    {
        using var dir = new TempDirectory();
        var storage = new StorageOptions { DatabasePath = dir.File("ingest.db") };
        var clock = Fixtures.Clock();
        var beat = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

        var buffer = new WorkerStateBuffer();
        var registry = new WorkerRegistry(new WorkerOptions(), clock, buffer);
        var loop = Loop(storage, buffer);
        await loop.StartAsync(CancellationToken.None);
        registry.Apply(new CeleryEvent { Type = CeleryEventType.WorkerHeartbeat, Hostname = "celery@a", Timestamp = beat, Freq = 2, Processed = 12, SoftwareVersion = "5.2.6" });
        registry.Apply(new CeleryEvent { Type = CeleryEventType.WorkerOnline, Hostname = "celery@b", Timestamp = beat });
        registry.Apply(new CeleryEvent { Type = CeleryEventType.WorkerOffline, Hostname = "celery@b", Timestamp = beat + 1 });
        registry.NoteTask("celery@a", "emails");
        await StopAsync(loop);

        using (var reader = new Ingest.Storage.Writing.InvocationWriter(storage, TestClock.Moving))
        {
            var stored = reader.ReadWorkers(10).OrderBy(r => r.Hostname, StringComparer.Ordinal).ToList();
            Assert.Equal(["celery@a", "celery@b"], stored.Select(r => r.Hostname));
            Assert.Equal(12, stored[0].Processed);
            Assert.Equal(["emails"], stored[0].Queues);
            Assert.True(stored[1].Offline);
        }

        // A restart a minute later: the workers are back with their last heartbeat, judged by the registry's rules.
        clock.Advance(TimeSpan.FromMinutes(1));
        // The loop restores before the registry exists, as when the host builds the registry later: it still gets them.
        var secondBuffer = new WorkerStateBuffer();
        var second = Loop(storage, secondBuffer);
        await second.StartAsync(CancellationToken.None);
        var restored = new WorkerRegistry(new WorkerOptions(), clock, secondBuffer);
        await StopAsync(second);

        var workers = restored.Snapshot();
        Assert.Equal(["celery@a", "celery@b"], workers.Select(w => w.Hostname));
        Assert.Equal(("lost", beat, 60.0, "5.2.6"), (workers[0].Status, workers[0].LastHeartbeatAt!.Value, workers[0].SecondsSinceSeen, workers[0].SoftwareVersion));
        Assert.Equal(["emails"], workers[0].Queues);
        Assert.Equal("offline", workers[1].Status);
        Assert.Equal(0, secondBuffer.Count); // restored states are stored already: not written again
    }
}

using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Workers;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Workers;

public sealed class WorkerStateStorageTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options() => new() { DatabasePath = _dir.File("workers.db") };

    private static double At(int day, int hour = 10) => new DateTimeOffset(2026, 11, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;

    private static WorkerStateRow Row(string host, double seen, bool offline = false, long processed = 7) => new()
    {
        Hostname = host,
        Offline = offline,
        LastHeartbeatAt = seen - 0.5,
        LastSeenAt = seen,
        Freq = 2.0,
        Active = 1,
        Processed = processed,
        LoadAverage = [0.5, 0.25, 0.125],
        SoftwareIdent = "py-celery",
        SoftwareVersion = "5.2.6",
        SoftwareSystem = "Linux",
        Pid = 4242,
        Queues = ["celery", "emails"],
    };

    [Fact]
    public void WriteWorkers_UpsertedTwice_ReadsBackTheLatestStateOfEachWorkerWithEveryField_Issue25()
    {
        using (var writer = new InvocationWriter(Options(), _time))
        {
            writer.WriteWorkers([Row("celery@a", At(21)), Row("celery@b", At(21, 11))]);
            writer.WriteWorkers([Row("celery@a", At(21, 12), offline: true, processed: 9)]);
            Assert.True(PartitionCatalog.TableExists(writer.Connection, "workers_20261121"));
        }

        using var reopened = new InvocationWriter(Options(), _time);
        var rows = reopened.ReadWorkers(100);

        Assert.Equal(["celery@a", "celery@b"], rows.Select(r => r.Hostname));
        var a = rows[0];
        Assert.Equal(Row("celery@a", At(21, 12), offline: true, processed: 9) with { LoadAverage = a.LoadAverage, Queues = a.Queues }, a);
        Assert.Equal([0.5, 0.25, 0.125], a.LoadAverage!);
        Assert.Equal(["celery", "emails"], a.Queues);
    }

    [Fact]
    public void ReadWorkers_ThreeDaysStored_ReadsTheNewestTwoDaysLatestRowPerWorkerWithinTheBound_Issue25()
    {
        using var writer = new InvocationWriter(Options(), _time);
        writer.WriteWorkers([Row("celery@old", At(19)), Row("celery@a", At(20)), Row("celery@b", At(20, 11))]);
        writer.WriteWorkers([Row("celery@a", At(21), processed: 99), Row("celery@c", At(21, 11))]);

        var rows = writer.ReadWorkers(100);
        Assert.Equal(["celery@c", "celery@a", "celery@b"], rows.Select(r => r.Hostname));
        Assert.Equal(99, rows[1].Processed);
        Assert.Equal(["celery@c", "celery@a"], writer.ReadWorkers(2).Select(r => r.Hostname));
    }

    [Fact]
    public void Retention_DayPastRetention_DropsItsWorkerTableWithTheDay_Issue25()
    {
        using var writer = new InvocationWriter(Options(), _time);
        writer.WriteWorkers([Row("celery@a", At(10)), Row("celery@a", At(21))]);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 7 }, _time);

        var steps = 0;
        while (maintenance.RunStep(CancellationToken.None) is { Kind: not MaintenanceKind.None } && ++steps < 1000)
        {
            // until retention has nothing left to do
        }

        Assert.False(PartitionCatalog.TableExists(writer.Connection, "workers_20261110"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "workers_20261121"));
    }

    [Fact]
    public void Put_PastCapacity_KeepsOneStatePerWorkerAndDropsTheLeastRecentlySeen_Issue25()
    {
        var buffer = new WorkerStateBuffer(capacity: 2);
        buffer.Put(Row("celery@a", At(21, 10)));
        buffer.Put(Row("celery@b", At(21, 11)));
        buffer.Put(Row("celery@a", At(21, 12), processed: 8)); // coalesced, not a third entry
        buffer.Put(Row("celery@c", At(21, 13)));

        Assert.Equal(1, buffer.Dropped);
        var taken = buffer.TakeAll().OrderBy(r => r.Hostname, StringComparer.Ordinal).ToList();
        Assert.Equal(["celery@a", "celery@c"], taken.Select(r => r.Hostname));
        Assert.Equal(8, taken[0].Processed);
        Assert.Equal(0, buffer.Count);
    }
}

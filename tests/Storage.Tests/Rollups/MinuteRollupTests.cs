using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Rollups;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Rollups;

/// <summary>Issue 25: per-minute rollups of the last 48 hours, written beside the hourly ones and dropped whole with their day.</summary>
public sealed class MinuteRollupTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 30, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly StorageOptions _options;

    public MinuteRollupTests() => _options = new StorageOptions { DatabasePath = _dir.File("m.db") };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteBatch_RecentRuns_CountedPerMinuteBesideTheirHour_Issue25()
    {
        using var writer = new InvocationWriter(_options, _time);
        writer.WriteBatch(
        [
            Finished("a1", TaskStates.Success, At(2026, 11, 22, 12, 14, 5)) with { Queue = "orders" },
            Finished("a2", TaskStates.Failure, At(2026, 11, 22, 12, 14, 50)) with { Queue = "orders" },
            Finished("a3", TaskStates.Success, At(2026, 11, 22, 12, 15, 1)) with { Queue = "orders" },
        ]);
        // A retry replaced by its outcome counts once, in its final state and minute.
        writer.WriteBatch([Finished("a4", TaskStates.Retry, At(2026, 11, 22, 12, 16)) with { FinishedAt = null, RuntimeSeconds = null }]);
        writer.WriteBatch([Finished("a4", TaskStates.Success, At(2026, 11, 22, 12, 17, 30))]);

        var reader = new RollupReader(_options);
        var minutes = reader.GroupMinutes(At(2026, 11, 22, 12, 0), At(2026, 11, 22, 13, 0));
        var hour = reader.GroupHours(At(2026, 11, 22, 12, 0), At(2026, 11, 22, 13, 0));

        var at14 = Assert.Single(minutes, m => m.Counts.Hour == (long)At(2026, 11, 22, 12, 14));
        Assert.Equal(("orders", 2L, 1L, 1L), (at14.Queue, at14.Counts.Total, at14.Counts.Count(TaskStates.Success), at14.Counts.Count(TaskStates.Failure)));
        Assert.Equal(1, Assert.Single(minutes, m => m.Counts.Hour == (long)At(2026, 11, 22, 12, 15)).Counts.Total);
        Assert.Equal(0, minutes.Where(m => m.Counts.Hour == (long)At(2026, 11, 22, 12, 16)).Sum(m => m.Counts.Total));
        Assert.Equal(1, Assert.Single(minutes, m => m.Counts.Hour == (long)At(2026, 11, 22, 12, 17)).Counts.Count(TaskStates.Success));
        Assert.Equal(hour.Sum(h => h.Counts.Total), minutes.Sum(m => m.Counts.Total));
        Assert.True(reader.MinutesComplete(At(2026, 11, 22, 12, 0), At(2026, 11, 22, 13, 0)));
    }

    [Fact]
    public void WriteBatch_RunOlderThan48Hours_CountsInItsHourOnly_AndTheHourReadsIncomplete_Issue25()
    {
        using var writer = new InvocationWriter(_options, _time);
        writer.WriteBatch([Finished("old", TaskStates.Success, At(2026, 11, 20, 10, 5))]);

        var reader = new RollupReader(_options);

        Assert.Empty(reader.GroupMinutes(At(2026, 11, 20, 0), At(2026, 11, 21, 0)));
        Assert.Equal(1, reader.GroupHours(At(2026, 11, 20, 0), At(2026, 11, 21, 0)).Sum(h => h.Counts.Total));
        Assert.False(reader.MinutesComplete(At(2026, 11, 20, 10), At(2026, 11, 20, 11)));
    }

    /// <summary>Made ahead with today's and tomorrow's days; dropped whole once their day is past 48 hours, keeping its rows and hourly rollups.</summary>
    [Fact]
    public void Maintenance_MinuteTables_MadeAheadAndDroppedWithTheirDayAfter48Hours_Issue25()
    {
        using var writer = new InvocationWriter(_options, _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 30 }, _time);
        while (maintenance.RunStep(CancellationToken.None).Kind == MaintenanceKind.CreatePartition)
        {
        }

        Assert.Equal([new DateOnly(2026, 11, 22), new DateOnly(2026, 11, 23)], writer.MinuteDays);
        writer.WriteBatch([Finished("today", TaskStates.Success, At(2026, 11, 22, 12, 20))]);

        // 47 h later the 22nd still holds minutes of the last 48 hours; an hour on, none: its table goes whole.
        _time.Advance(TimeSpan.FromHours(47));
        Assert.DoesNotContain(MaintenanceKind.DropMinutes, Steps(maintenance));
        Assert.Contains(new DateOnly(2026, 11, 22), writer.MinuteDays);
        _time.Advance(TimeSpan.FromHours(12.5));
        Assert.Contains(MaintenanceKind.DropMinutes, Steps(maintenance));

        Assert.DoesNotContain(new DateOnly(2026, 11, 22), writer.MinuteDays);
        Assert.False(PartitionCatalog.TableExists(writer.Connection, "task_minutes_20261122"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261122"));
        Assert.Equal(1, new RollupReader(_options).TaskHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0)).Sum(h => h.Total));
        Assert.Contains(DatabaseInfo.Read(_options.DatabasePath).MinuteTables, t => t.Name == "task_minutes_20261124");
    }

    [Fact]
    public void NextMinuteDrop_DayWithAMinuteOfTheLast48Hours_IsKept_Issue25()
    {
        DateOnly[] days = [new(2026, 11, 20), new(2026, 11, 21), new(2026, 11, 22)];

        Assert.Null(RetentionPlanner.NextMinuteDrop(new DateTimeOffset(2026, 11, 22, 23, 59, 0, TimeSpan.Zero), TimeSpan.FromHours(48), days));
        Assert.Equal(new DateOnly(2026, 11, 20), RetentionPlanner.NextMinuteDrop(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(48), days));
    }

    private static List<MaintenanceKind> Steps(StorageMaintenance maintenance)
    {
        var kinds = new List<MaintenanceKind>();
        for (var i = 0; i < 20; i++)
        {
            var step = maintenance.RunStep(CancellationToken.None);
            if (step.Kind == MaintenanceKind.None)
            {
                break;
            }

            kinds.Add(step.Kind);
        }

        return kinds;
    }
}

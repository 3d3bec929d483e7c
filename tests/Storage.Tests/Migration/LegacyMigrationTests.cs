using Ingest.Storage.Maintenance;
using Ingest.Storage.Migration;
using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Migration;

public sealed class LegacyMigrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_PhlowerDatabase_RenamesItsTablesToLegacyAndKeepsTheirIndexes()
    {
        var path = StorageFixtures.CopyLegacy(_dir);

        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);

        Assert.Equal(LegacyMigrationOutcome.Renamed, writer.Migration);
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_legacy"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocation_details_legacy"));
        Assert.False(PartitionCatalog.TableExists(writer.Connection, "invocations"));
        Assert.Equal(2L, SqliteConnections.Scalar<long>(writer.Connection, "SELECT COUNT(*) FROM pragma_index_list('invocations_legacy') WHERE name LIKE 'idx_inv_%'"));
        Assert.NotNull(writer.LegacyNewest);
    }

    [Fact]
    public void Open_Twice_MigratesOnce()
    {
        var path = StorageFixtures.CopyLegacy(_dir);
        using (new InvocationWriter(new StorageOptions { DatabasePath = path }, _time))
        {
        }

        using var again = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);

        Assert.Equal(LegacyMigrationOutcome.None, again.Migration);
        Assert.True(again.LegacyPresent);
    }

    [Fact]
    public void Read_EveryLegacyRow_MapsPhlowerColumnsIntoTheReadModel()
    {
        var path = StorageFixtures.CopyLegacy(_dir);
        var expected = ReadRaw(path);
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);
        var reader = new InvocationReader(writer.Options);

        foreach (var row in expected)
        {
            var got = reader.Get(row.TaskId);
            Assert.NotNull(got);
            Assert.Equal(row.Name, got.Name);
            Assert.Equal(row.State, got.State);
            Assert.Equal(row.FinishedAt, got.FinishedAt);
            Assert.Equal(row.RuntimeMs / 1000.0, got.RuntimeSeconds!.Value, 9);
            Assert.Equal(row.Kwargs, got.Kwargs);
            Assert.Equal(row.Traceback, got.Traceback);
            Assert.Equal(row.ExceptionType, got.ExceptionType);
        }

        var listed = new HashSet<string>();
        PageCursor? cursor = null;
        do
        {
            var page = reader.List(new InvocationQuery { Limit = 1000, After = cursor });
            foreach (var r in page.Items)
            {
                Assert.True(listed.Add(r.TaskId), $"{r.TaskId} listed twice");
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(expected.Select(r => r.TaskId).ToHashSet(), listed);
    }

    [Fact]
    public void Read_TaskInLegacyAndInADayPartition_IsReturnedOnceWithTheNewerState()
    {
        var path = StorageFixtures.CopyLegacy(_dir);
        var legacyRow = ReadRaw(path).First(r => r.State == TaskStates.Failure);
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);
        writer.WriteBatch([Finished(legacyRow.TaskId, TaskStates.Success, At(2026, 11, 22), name: legacyRow.Name)]);
        var reader = new InvocationReader(writer.Options);

        Assert.Equal(TaskStates.Success, reader.Get(legacyRow.TaskId)!.State);
        var all = reader.List(new InvocationQuery { Limit = 1000, Name = legacyRow.Name }).Items;
        Assert.Single(all, r => r.TaskId == legacyRow.TaskId);
        Assert.DoesNotContain(reader.List(new InvocationQuery { Limit = 1000, State = TaskStates.Failure }).Items, r => r.TaskId == legacyRow.TaskId);
    }

    [Fact]
    public void Maintenance_LegacyNewestRowPastRetention_DropsItWholeWithoutVacuumOnAnAutoVacuumNoneFile()
    {
        var path = StorageFixtures.CopyLegacy(_dir);
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 1 }, _time);
        Assert.Equal("none", maintenance.Status.Facts.AutoVacuum);

        MaintenanceStep step;
        var kinds = new List<MaintenanceKind>();
        do
        {
            step = maintenance.RunStep(CancellationToken.None);
            kinds.Add(step.Kind);
        }
        while (step.Kind != MaintenanceKind.None);

        Assert.Contains(MaintenanceKind.Drop, kinds);
        Assert.DoesNotContain(MaintenanceKind.Vacuum, kinds);
        Assert.False(writer.LegacyPresent);
        Assert.True(maintenance.Status.Facts.FreelistPages > 0, "pages are freed for reuse even though the file cannot shrink");
    }

    [Fact]
    public void Open_LegacyDatabaseTenTimesLarger_DoesTheSameStartupWork_Incident3()
    {
        // Startup must not do anything proportional to the data (an index build at startup once took 20-30
        // minutes on a 26 GB file and failed the startup probe). Counted in SQLite VM steps, not seconds.
        var small = StorageFixtures.CopyLegacy(_dir, "small.db");
        var large = StorageFixtures.CopyLegacy(_dir, "large.db");
        StorageFixtures.GrowLegacy(large, doublings: 4);

        var (smallSteps, smallPages) = StartupWork(small);
        var (largeSteps, largePages) = StartupWork(large);

        Assert.True(largeSteps <= smallSteps + 2000, $"startup ran {smallSteps} VM steps on 5k rows but {largeSteps} on 80k rows");
        Assert.True(largePages <= smallPages + 50, $"startup looked up {smallPages} pages on 5k rows but {largePages} on 80k rows");
    }

    private (long Steps, long Pages) StartupWork(string path)
    {
        var counter = new StorageFixtures.VmStepCounter();
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path, OnWriterOpen = counter.Attach }, _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions(), _time);
        maintenance.RunStep(CancellationToken.None);
        maintenance.RunStep(CancellationToken.None);
        maintenance.RunStep(CancellationToken.None);
        return (counter.Steps, counter.PageLookups());
    }

    private sealed record RawRow(string TaskId, string Name, string State, double? FinishedAt, double RuntimeMs, string? Kwargs, string? Traceback, string? ExceptionType);

    private static List<RawRow> ReadRaw(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT i.task_id, i.task_name, i.state, i.finished_at, i.runtime_ms, d.kwargs_preview, d.traceback_snippet, i.exception_type
            FROM invocations i LEFT JOIN invocation_details d ON d.task_id = i.task_id
            """;
        using var r = cmd.ExecuteReader();
        var rows = new List<RawRow>();
        while (r.Read())
        {
            rows.Add(new RawRow(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDouble(3), r.GetDouble(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)));
        }

        return rows;
    }
}

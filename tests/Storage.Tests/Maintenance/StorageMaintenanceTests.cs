using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Maintenance;

public sealed class StorageMaintenanceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly StorageFixtures.StatementLog _statements = new();

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options(string name = "x.db") => new() { DatabasePath = _dir.File(name), OnWriterOpen = _statements.Attach };

    [Fact]
    public void RunStep_BeforeMidnight_TomorrowsPartitionAlreadyExists()
    {
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 22, 23, 59, 0, TimeSpan.Zero));
        using var writer = new InvocationWriter(Options(), _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions(), _time);

        RunUntilIdle(maintenance);

        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261122"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261123"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocation_details_20261123"));

        _time.Advance(TimeSpan.FromMinutes(2));
        RunUntilIdle(maintenance);

        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261124"));
        Assert.Equal(3, maintenance.PartitionsCreated);
    }

    [Fact]
    public void RunStep_DaysPastRetention_DropsOneWholeDayPerStepAndNeverDeletesRows_Incident2()
    {
        using var writer = new InvocationWriter(Options(), _time);
        writer.WriteBatch(Enumerable.Range(10, 13).Select(d => Finished($"t{d}", TaskStates.Success, At(2026, 11, d))).ToList());
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 7 }, _time);

        var drops = RunUntilIdle(maintenance).Where(s => s.Kind == MaintenanceKind.Drop).ToList();

        Assert.Equal(6, drops.Count);
        Assert.Equal(Enumerable.Range(16, 8).Select(d => new DayPartition(new DateOnly(2026, 11, d))), writer.Days);
        // No row of a day's tables or rollups is ever deleted one by one (the search index's trigger, which
        // replaces one merged row's terms, is not retention and targets invocation_search_*).
        Assert.DoesNotContain(_statements.Statements, s => System.Text.RegularExpressions.Regex.IsMatch(
            s, @"\bDELETE\s+FROM\s+(""?main""?\.)?""?(invocations|invocation_details|task_hours|failure_hours)_", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Contains(_statements.Statements, s => s.Contains("DROP TABLE", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(6, maintenance.Status.PartitionsDroppedForRetention);
    }

    [Fact]
    public void RunStep_AfterDroppingDays_ShrinksTheFileOverTheFollowingSteps_Incident4()
    {
        using var writer = new InvocationWriter(Options(), _time);
        var big = new string('x', 2000);
        writer.WriteBatch(Enumerable.Range(0, 4000).Select(i => Finished($"old{i}", TaskStates.Success, At(2026, 11, 1) + i) with { Args = big }).ToList());
        writer.WriteBatch([Finished("today", TaskStates.Success, At(2026, 11, 22))]);
        writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        var before = new FileInfo(writer.Options.DatabasePath).Length;
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 7 }, _time);

        var steps = RunUntilIdle(maintenance);
        writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        var after = new FileInfo(writer.Options.DatabasePath).Length;

        Assert.Contains(steps, s => s.Kind == MaintenanceKind.Drop);
        Assert.True(steps.Count(s => s.Kind == MaintenanceKind.Vacuum) > 1, "the vacuum should run in several bounded steps");
        Assert.True(after < before / 4, $"file {before} → {after} bytes");
        Assert.Equal(0, maintenance.RefreshFacts().FreelistPages);
        Assert.NotNull(new Ingest.Storage.Reading.InvocationReader(writer.Options).Get("today"));
    }

    [Fact]
    public void RunStep_FirstDropDelay_DropsNothingUntilItHasPassed()
    {
        using var writer = new InvocationWriter(Options(), _time);
        writer.WriteBatch([Finished("old", TaskStates.Success, At(2026, 11, 1))]);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 7, FirstDropDelay = TimeSpan.FromMinutes(5) }, _time);

        RunUntilIdle(maintenance);
        Assert.Contains(new DayPartition(new DateOnly(2026, 11, 1)), writer.Days);

        _time.Advance(TimeSpan.FromMinutes(5));
        RunUntilIdle(maintenance);
        Assert.DoesNotContain(new DayPartition(new DateOnly(2026, 11, 1)), writer.Days);
    }

    [Fact]
    public void RunStep_OverTheSizeCap_DropsOldestDaysButNeverToday()
    {
        using var writer = new InvocationWriter(Options(), _time);
        var big = new string('y', 4000);
        foreach (var d in new[] { 20, 21, 22 })
        {
            writer.WriteBatch(Enumerable.Range(0, 300).Select(i => Finished($"d{d}-{i}", TaskStates.Success, At(2026, 11, d) + i) with { Args = big }).ToList());
        }

        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 30, MaxDatabaseBytes = 256 * 1024 }, _time);

        RunUntilIdle(maintenance);

        Assert.Equal([new DayPartition(new DateOnly(2026, 11, 22)), new DayPartition(new DateOnly(2026, 11, 23))], writer.Days);
        Assert.Equal(2, maintenance.Status.PartitionsDroppedForPressure);
        Assert.True(maintenance.Status.Facts.PressureUnrelieved);
    }

    [Fact]
    public void RunStep_OverTheSizeCapWithDetailRetention_DropsDetailsOfOldDaysBeforeAnyWholeDay()
    {
        using var writer = new InvocationWriter(Options(), _time);
        var big = new string('y', 4000);
        foreach (var d in new[] { 20, 21 })
        {
            writer.WriteBatch(Enumerable.Range(0, 300).Select(i => Finished($"d{d}-{i}", TaskStates.Success, At(2026, 11, d) + i) with { Args = big }).ToList());
        }

        writer.WriteBatch([Finished("today", TaskStates.Success, At(2026, 11, 22))]);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 30, DetailDays = 30, MaxDatabaseBytes = 1024 * 1024 }, _time);

        var steps = RunUntilIdle(maintenance);

        // Stripping the two old days' 2.4 MB of args brought the file under the cap: every row is still there.
        Assert.Equal(["dropped the details of partition 20261120 (disk pressure)", "dropped the details of partition 20261121 (disk pressure)"],
            steps.Where(s => s.Kind == MaintenanceKind.DropDetails).Select(s => s.Description![..s.Description!.LastIndexOf(" in ", StringComparison.Ordinal)]));
        Assert.Equal(0, maintenance.Status.PartitionsDroppedForPressure);
        Assert.Contains(new DayPartition(new DateOnly(2026, 11, 20)), writer.Days);
        Assert.False(maintenance.Status.Facts.OverSizeCap);
        var reader = new Ingest.Storage.Reading.InvocationReader(Options());
        Assert.Null(reader.Get("d20-0")!.Args);
        Assert.Equal(TaskStates.Success, reader.Get("d21-299")!.State);
        Assert.Equal("()", reader.Get("today")!.Args);
    }

    [Fact]
    public void RunStep_PublishesFactsWithoutCountingRows()
    {
        using var writer = new InvocationWriter(Options(), _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions(), _time);
        _statements.Statements.Clear();

        RunUntilIdle(maintenance);

        var facts = maintenance.Status.Facts;
        Assert.Equal("incremental", facts.AutoVacuum);
        Assert.Equal(2, facts.Partitions.Count);
        Assert.True(facts.FileBytes > 0);
        Assert.DoesNotContain(_statements.Statements, s => s.Contains("COUNT(", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void RunStep_PastDetailRetention_DropsDetailsAndSearchWholeAndKeepsRowsAndRollups()
    {
        using (var writer = new InvocationWriter(Options(), _time))
        {
            writer.WriteBatch([.. Enumerable.Range(19, 4).Select(d => Finished($"t{d}", TaskStates.Failure, At(2026, 11, d), kwargs: $"{{'order_id': 5550{d}}}"))]);
            var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 7, DetailDays = 2 }, _time);

            var steps = RunUntilIdle(maintenance);

            Assert.Equal(2, steps.Count(s => s.Kind == MaintenanceKind.DropDetails));
            Assert.Equal(new DateOnly(2026, 11, 20), writer.DetailsDroppedThrough);
            Assert.Equal(2, maintenance.Status.DetailDrops);
            Assert.Equal("details of partition 20261120", maintenance.Status.LastDetailDrop);
            Assert.Equal(new DateOnly(2026, 11, 20), maintenance.Status.DetailsDroppedThrough);
            Assert.False(PartitionCatalog.TableExists(writer.Connection, "invocation_search_20261119"));
            Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocation_search_20261121"));
            Assert.DoesNotContain(_statements.Statements, s => System.Text.RegularExpressions.Regex.IsMatch(
                s, @"\b(DELETE\s+FROM|UPDATE)\s+(""?main""?\.)?""?invocation_details_", System.Text.RegularExpressions.RegexOptions.IgnoreCase));

            // A late record for a stripped day keeps its row, without details.
            writer.WriteBatch([Finished("late19", TaskStates.Success, At(2026, 11, 19, 18), kwargs: "{'order_id': 777}")]);
        }

        var reader = new Ingest.Storage.Reading.InvocationReader(Options());
        var old = reader.Get("t19")!;
        Assert.Equal(TaskStates.Failure, old.State);
        Assert.Equal("ValueError('boom')", old.Exception); // the row's own error text stays: it is not a detail
        Assert.Null(old.Kwargs);
        Assert.Null(old.Traceback);
        Assert.Null(reader.Get("late19")!.Kwargs);
        Assert.Equal("{'order_id': 555021}", reader.Get("t21")!.Kwargs);

        var found = reader.List(new Ingest.Storage.Reading.InvocationQuery { Text = "555019" });
        Assert.Empty(found.Items);
        Assert.Contains("20261119", found.Unsearched);
        Assert.Equal("t21", Assert.Single(reader.List(new Ingest.Storage.Reading.InvocationQuery { Text = "555021" }).Items).TaskId);

        // Rollups of a stripped day still count its runs.
        var hours = new Ingest.Storage.Rollups.RollupReader(Options()).TaskHours(At(2026, 11, 19, 0), At(2026, 11, 20, 0));
        Assert.Equal(2, hours.Sum(h => h.Total));

        // The marker survives a restart: nothing is dropped twice, and the next day goes when it ages out.
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        using var reopened = new InvocationWriter(Options(), _time);
        var again = RunUntilIdle(new StorageMaintenance(reopened, new RetentionOptions { Days = 7, DetailDays = 2 }, _time));
        Assert.Equal(["dropped the details of partition 20261121"], again.Where(s => s.Kind == MaintenanceKind.DropDetails).Select(s => s.Description![..s.Description!.IndexOf(" (", StringComparison.Ordinal)]));
    }

    /// <summary>Issue 24: a store that took writes again went unnoticed until a record arrived; the loop probes it with this.</summary>
    [Fact]
    public void ProbeWrite_CommitsOneMetaRow_AndFailsAsACommitWouldOnAFullFile_Issue24()
    {
        using var writer = new InvocationWriter(Options(), _time);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions(), _time);

        maintenance.ProbeWrite();
        Assert.Equal(_time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), Ingest.Storage.Migration.MetaTable.Get(writer.Connection, "write_probed_at"));

        // A read-only store refuses the probe with the error a commit would get.
        SqliteConnections.Execute(writer.Connection, "PRAGMA query_only = ON");
        var error = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(maintenance.ProbeWrite);
        Assert.True(StorageFaultClassifier.IsStorageFault(error), error.Message);
    }

    private static List<MaintenanceStep> RunUntilIdle(StorageMaintenance maintenance)
    {
        var steps = new List<MaintenanceStep>();
        for (var i = 0; i < 10_000; i++)
        {
            var step = maintenance.RunStep(CancellationToken.None);
            steps.Add(step);
            if (!step.MorePending && step.Kind == MaintenanceKind.None)
            {
                return steps;
            }
        }

        throw new InvalidOperationException("maintenance never became idle");
    }
}

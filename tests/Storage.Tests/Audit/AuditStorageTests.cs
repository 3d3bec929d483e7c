using Ingest.Storage.Audit;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Audit;

public sealed class AuditStorageTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options() => new() { DatabasePath = _dir.File("audit.db") };

    private static double At(int day, int hour = 10) => new DateTimeOffset(2026, 11, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;

    private static AuditEntry Entry(double at, string user = "boss", string action = "task.revoke") =>
        new(at, user, action, "t-1", """{"terminate":"true"}""", AuditOutcomes.Done, 200, null, """{"celery@a":{"ok":"revoked"}}""", "[]");

    [Fact]
    public void WriteAudit_EntriesOfTwoDays_GoToEachDaysAuditTableAndReadBackNewestFirst_Issue27()
    {
        using (var writer = new InvocationWriter(Options(), _time))
        {
            writer.WriteAudit([Entry(At(20)), Entry(At(21), user: "ops", action: "worker.pool_grow"), Entry(At(21, 11))]);
            Assert.True(PartitionCatalog.TableExists(writer.Connection, "audit_20261120"));
            Assert.True(PartitionCatalog.TableExists(writer.Connection, "audit_20261121"));
        }

        var reader = new AuditReader(Options());
        var (rows, next) = reader.List(new AuditQuery(At(1), At(22), null, null, 10));

        Assert.Null(next);
        Assert.Equal([At(21, 11), At(21), At(20)], rows.Select(r => r.Entry.At));
        Assert.Equal(Entry(At(20)), rows[2].Entry);
        Assert.Equal("ops", Assert.Single(reader.List(new AuditQuery(At(1), At(22), "ops", null, 10)).Rows).Entry.User);
        Assert.Equal(2, reader.List(new AuditQuery(At(1), At(22), null, "task.revoke", 10)).Rows.Count);
    }

    [Fact]
    public void List_PagedByCursor_ReturnsEveryEntryOnceAcrossDays_Issue27()
    {
        using (var writer = new InvocationWriter(Options(), _time))
        {
            writer.WriteAudit([.. Enumerable.Range(0, 5).Select(i => Entry(At(20) + i)), .. Enumerable.Range(0, 4).Select(i => Entry(At(21) + i))]);
        }

        var reader = new AuditReader(Options());
        var seen = new List<double>();
        AuditCursor? cursor = null;
        do
        {
            var (rows, next) = reader.List(new AuditQuery(At(1), At(22), null, null, 2, cursor));
            seen.AddRange(rows.Select(r => r.Entry.At));
            cursor = next is null ? null : AuditCursor.TryDecode(next.Encode(), out var decoded) ? decoded : throw new InvalidOperationException("cursor");
        }
        while (cursor is not null);

        Assert.Equal(9, seen.Count);
        Assert.Equal(seen.OrderByDescending(a => a), seen);
    }

    [Fact]
    public void Retention_DayPastRetention_DropsItsAuditTableWithTheDay_Issue27()
    {
        using var writer = new InvocationWriter(Options(), _time);
        writer.WriteAudit([Entry(At(10)), Entry(At(21))]);
        var maintenance = new StorageMaintenance(writer, new RetentionOptions { Days = 7 }, _time);

        for (var i = 0; i < 1000 && (maintenance.RunStep(CancellationToken.None) is var step) && (step.MorePending || step.Kind != MaintenanceKind.None); i++)
        {
        }

        Assert.False(PartitionCatalog.TableExists(writer.Connection, "audit_20261110"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "audit_20261121"));
    }

    [Fact]
    public void Add_PastCapacity_DropsTheOldestAndCountsIt_Issue27()
    {
        var buffer = new AuditBuffer(capacity: 2);

        buffer.Add(Entry(1));
        buffer.Add(Entry(2));
        buffer.Add(Entry(3));

        Assert.Equal(1, buffer.Dropped);
        Assert.Equal([2d, 3d], buffer.Take(10).Select(e => e.At));
    }

    [Fact]
    public void Add_RepliesOverTheFieldCap_AreCutAndMarked_Issue27()
    {
        var buffer = new AuditBuffer();

        buffer.Add(Entry(1) with { Replies = new string('x', AuditBuffer.MaxFieldChars * 3) });

        var replies = Assert.Single(buffer.Take(1)).Replies!;
        Assert.Equal(AuditBuffer.MaxFieldChars, replies.Length);
        Assert.EndsWith("(cut)", replies, StringComparison.Ordinal);
    }
}

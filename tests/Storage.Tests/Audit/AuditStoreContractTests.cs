using Ingest.Storage.Audit;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Tests.ClickHouse;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Audit;

/// <summary>
/// <c>/api/audit</c>'s store, SQLite or ClickHouse (issue 26), answers alike: newest first, pages by cursor, filters
/// by user and action. On ClickHouse the entries of two instances are listed together, a retried insert once.
/// </summary>
public sealed class AuditStoreContractTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ClickHouseEndpoint _endpoint = ClickHouseTestServer.FreshEndpoint();

    public static TheoryData<string> Stores => ["sqlite", "clickhouse"];

    [Theory]
    [MemberData(nameof(Stores))]
    public void List_EntriesOfTwoDays_NewestFirstInPagesAndFiltered_Issue26(string store)
    {
        var entries = Enumerable.Range(0, 5).Select(i => Entry(At(20) + i, "boss"))
            .Concat(Enumerable.Range(0, 4).Select(i => Entry(At(21) + i, i % 2 == 0 ? "ops" : "boss", i == 3 ? "worker.pool_grow" : "task.revoke")))
            .ToList();
        var reader = Write(store, entries);

        var pages = new List<AuditRow>();
        AuditCursor? cursor = null;
        do
        {
            var (rows, next) = reader.List(new AuditQuery(At(19), At(23), null, null, 4, cursor));
            pages.AddRange(rows);
            cursor = next;
        }
        while (cursor is not null && pages.Count < 20);

        Assert.Equal(entries.Select(e => e.At).OrderDescending(), pages.Select(r => r.Entry.At));
        Assert.Equal(entries.Count, pages.Select(r => (r.Entry.At, r.Id)).Distinct().Count()); // each once: SQLite's ids are per day
        Assert.Equal(entries.OrderByDescending(e => e.At).First(), pages[0].Entry);
        Assert.Equal(2, reader.List(new AuditQuery(At(19), At(23), "ops", null, 10)).Rows.Count);
        Assert.Equal(At(21) + 3, Assert.Single(reader.List(new AuditQuery(At(19), At(23), null, "worker.pool_grow", 10)).Rows).Entry.At);
        Assert.Empty(reader.List(new AuditQuery(At(19), At(23), "boss' OR '1'='1", null, 10)).Rows);
    }

    public void Dispose()
    {
        _dir.Dispose();
        using var client = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        client.QueryServer($"DROP DATABASE IF EXISTS {_endpoint.Database}");
    }

    private IAuditStore Write(string store, List<AuditEntry> entries)
    {
        if (store == "sqlite")
        {
            var options = new StorageOptions { DatabasePath = _dir.File("audit.db") };
            using var writer = new InvocationWriter(options, _time);
            writer.WriteAudit(entries);
            return new AuditReader(options);
        }

        // Two instances, each with some of the entries; the second's insert retried after a failure it never saw.
        using var a = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "a", _time);
        using var b = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "b", _time);
        a.WriteAudit(entries[..5]);
        b.WriteAudit(entries[5..]);
        b.WriteAudit(entries[5..]);
        return new ClickHouseAuditStore(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)));
    }

    private static double At(int day, int hour = 10) => new DateTimeOffset(2026, 11, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;

    private static AuditEntry Entry(double at, string user, string action = "task.revoke") =>
        new(at, user, action, "t-1", """{"terminate":"true"}""", AuditOutcomes.Done, 200, null, """{"celery@a":{"ok":"revoked"}}""", "[]");
}

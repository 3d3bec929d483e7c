using Ingest.Storage;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Reading;
using Ingest.Tests.Support;

namespace Ingest.Tests.Pipeline;

/// <summary>
/// The fixture capture replayed into SQLite and into ClickHouse gives the same answers (issue 26): every task with its
/// name, state, retries, args, kwargs and exception type, and the same task ids for every value search.
/// </summary>
public sealed class ClickHouseSearchParityTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ClickHouseEndpoint _endpoint = TestClickHouse.FreshEndpoint();

    [Fact]
    public async Task Replay_SameCaptureIntoSqliteAndClickHouse_SameTasksAndSameSearchAnswers_Issue26()
    {
        var sqlite = _dir.File("sqlite.db");
        var clock = Fixtures.CaptureEnd.ToString("O");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", sqlite, "--shift-to-now", "--clock-start", clock]));
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", _dir.File("unused.db"), "--shift-to-now", "--clock-start", clock,
            "--clickhouse", _endpoint.BaseAddress + _endpoint.Database]));
        var onSqlite = new InvocationReader(new StorageOptions { DatabasePath = sqlite });
        using var client = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        var onClickHouse = new ClickHouseInvocationReader(client);

        var ids = onSqlite.List(new InvocationQuery { Limit = InvocationQuery.MaxLimit }).Items.Select(r => r.TaskId).ToList();
        Assert.True(ids.Count > 40, $"{ids.Count} tasks");
        Assert.Equal(ids.Select(id => Summary(onSqlite.Get(id))), ids.Select(id => Summary(onClickHouse.Get(id))));

        // The order id is in a kwargs, an exception and an exception's args of the capture.
        Assert.True(Ids(onSqlite, "12345").Count >= 3);
        foreach (var text in new[] { "12345", "order_id=12345", "invalid input", "card declined", "card-declined", "declined-card", "upstream timeout for job-B", "échec", "héllo", "日本語", "lone surrogate", "soft limit", "ok", "nosuchword" })
        {
            Assert.True(Ids(onSqlite, text).SequenceEqual(Ids(onClickHouse, text)), $"q={text}: SQLite {string.Join(", ", Ids(onSqlite, text))}; ClickHouse {string.Join(", ", Ids(onClickHouse, text))}");
        }
    }

    public void Dispose()
    {
        TestClickHouse.Drop(_endpoint);
        _dir.Dispose();
    }

    private static List<string> Ids(IInvocationStore store, string text) =>
        store.List(new InvocationQuery { Text = text, Limit = InvocationQuery.MaxLimit }).Items.Select(r => r.TaskId).ToList();

    private static string Summary(InvocationRecord? r) =>
        r is null ? "(not stored)" : $"{r.TaskId} {r.Name} {r.State} retries={r.Retries} args={r.Args} kwargs={r.Kwargs} exception={r.ExceptionType}";
}

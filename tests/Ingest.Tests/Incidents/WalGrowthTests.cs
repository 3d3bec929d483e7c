using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Ingest.Tests.Incidents;

/// <summary>
/// Issue 24: a reader holding a transaction open grew the WAL from 4 to 280 MiB in 60 s while <c>/healthz</c> said
/// ok. No checkpoint can pass an open read's snapshot, so the WAL cannot be reset and every commit lengthens it.
/// </summary>
public class WalGrowthTests
{
    [Fact]
    public async Task Healthz_AReadHeldOpenWhileTheLoopWrites_IsDegradedNamingTheWalSizeAndTheHeldFrames_Issue24()
    {
        await using var factory = new IngestFactory().MovingClock().With("Ingest:Health:MaxWalMb", "8");
        using var client = factory.CreateClient();
        Assert.True(Post(client, 0, 20));
        var next = 20;
        await Wait.UntilAsync(() => Health(client).GetProperty("invocations").GetProperty("flushed").GetInt64() == next, "the first tasks to be stored");

        // An operator's sqlite3 shell, a backup, a report: a read transaction left open, from outside the process.
        using var reader = new SqliteConnection($"Data Source={factory.DatabasePath};Mode=ReadOnly;Pooling=False");
        reader.Open();
        Execute(reader, "BEGIN");
        Execute(reader, "SELECT count(*) FROM sqlite_master");

        // About 20 MiB of task arguments, written while the read holds its snapshot.
        string? reason = null;
        await Wait.UntilAsync(() =>
        {
            reason = Reasons(client).FirstOrDefault(r => r.StartsWith("the WAL is", StringComparison.Ordinal) && r.Contains("frames", StringComparison.Ordinal));
            if (reason is null && next < 4000 && Post(client, next, 100))
            {
                next += 100;
            }

            return reason is not null;
        }, "the WAL reason with its frames", TimeSpan.FromSeconds(90));

        var wal = Regex.Match(reason!, @"^the WAL is ([\d.]+) MiB, over the 8 MiB limit .*; a checkpoint could copy (\d+) of its (\d+) frames");
        Assert.True(wal.Success, reason);
        Assert.True(double.Parse(wal.Groups[1].Value, CultureInfo.InvariantCulture) > 8, reason);
        Assert.True(long.Parse(wal.Groups[2].Value, CultureInfo.InvariantCulture) < long.Parse(wal.Groups[3].Value, CultureInfo.InvariantCulture), reason);
        Assert.Equal("degraded", Health(client).GetProperty("status").GetString());
        var storage = Health(client).GetProperty("storage");
        Assert.True(storage.GetProperty("wal_bytes").GetInt64() > 8 * 1024 * 1024);
        Assert.True(storage.GetProperty("wal_frames").GetInt64() > storage.GetProperty("wal_frames_checkpointed").GetInt64());

        // The read ends: the next commits checkpoint the WAL and reset it, and the reason goes.
        Execute(reader, "COMMIT");
        reader.Close();
        await Wait.UntilAsync(() =>
        {
            if (!Reasons(client).Any(r => r.Contains("WAL", StringComparison.Ordinal)))
            {
                return true;
            }

            if (Post(client, next, 1))
            {
                next++;
            }

            return false;
        }, "the WAL reason to clear once the read has ended");
    }

    /// <summary>Posts tasks from number <paramref name="from"/>; false when asked to retry later (503), as a sender that retries would be.</summary>
    private static bool Post(HttpClient client, int from, int tasks)
    {
        var at = TestClock.UnixSeconds.ToString("R", CultureInfo.InvariantCulture);
        var body = new StringBuilder("[");
        for (var i = from; i < from + tasks; i++)
        {
            body.Append(i == from ? "" : ", ")
                .Append($$"""{"type": "task-received", "uuid": "w{{i}}", "name": "shop.tasks.export", "args": "({{i}}, '{{Incompressible(i)}}')", "timestamp": {{at}}}, """)
                .Append($$"""{"type": "task-succeeded", "uuid": "w{{i}}", "result": "None", "runtime": 0.1, "timestamp": {{at}}}""");
        }

        using var content = new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json");
        using var response = client.PostAsync("/api/events", content).GetAwaiter().GetResult();
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{response.StatusCode}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        return response.StatusCode == HttpStatusCode.Accepted;
    }

    /// <summary>
    /// 8,000 characters of task <paramref name="i"/>'s own random text. Details are compressed by default (issue 29):
    /// the same text in every task would be stored in a few bytes, and this test needs commits that grow the WAL.
    /// </summary>
    private static string Incompressible(int i)
    {
        var bytes = new byte[6000];
        new Random(i).NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteScalar();
    }

    private static JsonElement Health(HttpClient client) => client.GetFromJsonAsync<JsonElement>("/healthz").GetAwaiter().GetResult();

    private static List<string> Reasons(HttpClient client) => [.. Health(client).GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!)];
}

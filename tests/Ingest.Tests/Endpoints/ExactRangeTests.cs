using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Storage;
using Ingest.Storage.Writing;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Issue 25: "15 min" is the last 15 minutes in minute buckets, "24 h" is 24 hours, and where a boundary's minutes
/// are not kept the answer says it was rounded. One run a minute for the last 30 hours, at 10 s past each minute.
/// </summary>
public sealed class ExactRangeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 37, 20, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private string _db = "";

    public Task InitializeAsync()
    {
        _db = _dir.File("exact.db");
        using (var writer = new InvocationWriter(new StorageOptions { DatabasePath = _db }, new FakeTimeProvider(Now)))
        {
            var start = new DateTimeOffset(Now.Year, Now.Month, Now.Day, Now.Hour, Now.Minute, 10, TimeSpan.Zero);
            writer.WriteBatch([.. Enumerable.Range(0, 30 * 60).Select(m => Run($"r{m}", "t.every_minute", start.AddMinutes(-m), 0.5))]);
            // Written when it was already 70 hours old: counted in its hour, never in minutes.
            writer.WriteBatch([Run("old", "t.every_minute", Now.AddHours(-70), 0.5)]);
            writer.WriteBatch([Run("single", "t.once", Now.AddMinutes(-3), 1.0)]);
        }

        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Tasks_FifteenMinutes_AreFifteenMinuteBuckets_TheLastInProgress_Issue25()
    {
        await using var factory = new IngestFactory(_db) { Time = new FakeTimeProvider(Now) };
        using var client = factory.CreateClient();

        var list = await client.GetFromJsonAsync<JsonElement>("/api/tasks?since=-15m");
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/tasks/t.every_minute/stats?since=-15m");

        Assert.Equal(60, list.GetProperty("bucket_seconds").GetInt32());
        Assert.Equal("1m", list.GetProperty("bucket").GetString());
        Assert.Equal((At(12, 23), At(12, 38)), (Time(list, "from"), Time(list, "to")));
        var task = TaskOf(list, "t.every_minute");
        var series = task.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(15, series.Count);
        Assert.All(series, p => Assert.Equal(60, Time(p, "to") - Time(p, "from")));
        Assert.Equal([.. Enumerable.Repeat(false, 14), true], series.Select(p => p.GetProperty("partial").GetBoolean()));
        Assert.All(series, p => Assert.Equal(1, p.GetProperty("total").GetInt64()));
        Assert.Equal(15, task.GetProperty("window").GetProperty("total").GetInt64());
        Assert.Equal(60, stats.GetProperty("bucket_seconds").GetInt32());
        Assert.Equal(15, stats.GetProperty("series").GetArrayLength());
        Assert.Equal(15, stats.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("total").GetInt64()));
    }

    /// <summary>Before: from rounded down to 12:00 yesterday and to up to 13:00 today, 25 hours (1,478 runs here).</summary>
    [Fact]
    public async Task Tasks_TwentyFourHours_AreExactlyTwentyFourHours_TheCutHourFromItsMinutes_Issue25()
    {
        await using var factory = new IngestFactory(_db) { Time = new FakeTimeProvider(Now) };
        using var client = factory.CreateClient();

        var list = await client.GetFromJsonAsync<JsonElement>("/api/tasks?since=-24h");

        Assert.Equal(3600, list.GetProperty("bucket_seconds").GetInt32());
        Assert.Equal(24 * 3600, Time(list, "to") - Time(list, "from"));
        Assert.False(list.GetProperty("rounded_start").GetBoolean());
        var task = TaskOf(list, "t.every_minute");
        Assert.Equal(24 * 60, task.GetProperty("window").GetProperty("total").GetInt64());
        var series = task.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal((At(12, 38) - 86400, At(13, 0) - 86400), (Time(series[0], "from"), Time(series[0], "to")));
        Assert.Equal(22, series[0].GetProperty("total").GetInt64());
        Assert.True(series[0].GetProperty("partial").GetBoolean());
        Assert.True(series[^1].GetProperty("partial").GetBoolean());
        Assert.All(series[1..^1], p => Assert.False(p.GetProperty("partial").GetBoolean()));
        Assert.Equal(24 * 60, series.Sum(p => p.GetProperty("total").GetInt64()));
    }

    [Fact]
    public async Task Tasks_BoundaryWhoseMinutesAreNotKept_IsRoundedToTheHour_AndSaysSo_Issue25()
    {
        await using var factory = new IngestFactory(_db) { Time = new FakeTimeProvider(Now) };
        using var client = factory.CreateClient();
        string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture));

        var list = await client.GetFromJsonAsync<JsonElement>($"/api/tasks?since={Iso(Now.AddHours(-72))}&until={Iso(Now.AddHours(-60))}");
        using var minuteBucket = await client.GetAsync($"/api/tasks?since={Iso(Now.AddHours(-72))}&until={Iso(Now.AddHours(-60))}&bucket=5m");

        Assert.True(list.GetProperty("rounded_start").GetBoolean());
        Assert.True(list.GetProperty("rounded_end").GetBoolean());
        Assert.Equal(0, Time(list, "from") % 3600);
        Assert.Equal(0, Time(list, "to") % 3600);
        Assert.Equal(1, TaskOf(list, "t.every_minute").GetProperty("window").GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, minuteBucket.StatusCode);
    }

    /// <summary>A single run of 1.00 s read p50 987 ms (its histogram bucket's middle) on the task pages, 1.00 s on its own.</summary>
    [Fact]
    public async Task Tasks_SingleRun_P50IsItsRuntime_AsItsOwnPageShows_Issue25()
    {
        await using var factory = new IngestFactory(_db) { Time = new FakeTimeProvider(Now) };
        using var client = factory.CreateClient();

        var list = await client.GetFromJsonAsync<JsonElement>("/api/tasks?since=-1h");
        var run = await client.GetFromJsonAsync<JsonElement>("/api/invocations/single");

        var runtime = TaskOf(list, "t.once").GetProperty("window").GetProperty("runtime");
        Assert.Equal(run.GetProperty("runtime_s").GetDouble(), runtime.GetProperty("p50_s").GetDouble(), 9);
        Assert.Equal(1.0, runtime.GetProperty("p95_s").GetDouble(), 9);
    }

    private static JsonElement TaskOf(JsonElement list, string name) =>
        list.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    private static double Time(JsonElement e, string property) =>
        DateTimeOffset.Parse(e.GetProperty(property).GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0;

    private static double At(int hour, int minute) => new DateTimeOffset(Now.Year, Now.Month, Now.Day, hour, minute, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static InvocationRecord Run(string id, string name, DateTimeOffset at, double runtime)
    {
        var t = at.ToUnixTimeMilliseconds() / 1000.0;
        return new() { TaskId = id, Name = name, State = TaskStates.Success, StateAt = t, FinishedAt = t, StartedAt = t - runtime, RuntimeSeconds = runtime, Queue = "celery", Worker = "w@h" };
    }
}

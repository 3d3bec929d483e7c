using Ingest.Hosting;
using Ingest.Tests.Support;

namespace Ingest.Tests.Hosting;

public class AnchoredTimeProviderTests
{
    [Fact]
    public void GetUtcNow_StartsAtTheAnchor_AndAdvancesAsTheMonotonicClockDoes()
    {
        var anchor = new DateTimeOffset(2026, 11, 22, 19, 49, 48, TimeSpan.Zero);
        var before = TimeProvider.System.GetTimestamp(); // before the clock exists: bounds everything it reads
        var clock = new AnchoredTimeProvider(anchor);
        var first = clock.GetUtcNow();
        var mark = clock.GetTimestamp();
        // Spin until the monotonic clock has moved by at least 20 ms (a deadline, not a sleep that decides the result).
        while (clock.GetElapsedTime(mark) < TimeSpan.FromMilliseconds(20))
        {
            Thread.SpinWait(1000);
        }

        var second = clock.GetUtcNow();
        var elapsed = TimeProvider.System.GetElapsedTime(before);

        Assert.InRange(first, anchor, anchor + elapsed);
        Assert.True(second - first >= TimeSpan.FromMilliseconds(20), $"advanced {(second - first).TotalMilliseconds} ms");
        Assert.InRange(second, anchor, anchor + elapsed);
        Assert.Equal(TimeSpan.Zero, second.Offset);
    }

    [Theory]
    [InlineData("2026-11-22T19:49:48Z", "2026-11-22T19:49:48+00:00")]
    [InlineData("2026-11-22T21:49:48+02:00", "2026-11-22T19:49:48+00:00")]
    [InlineData("2026-11-22 19:49:48", "2026-11-22T19:49:48+00:00")] // no offset: UTC, never the machine's zone
    public void TryParse_AnInstant_AnchorsAtItInUtc(string text, string expected)
    {
        Assert.True(AnchoredTimeProvider.TryParse(text, out var clock, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), clock!.Start);
        Assert.Equal(TimeSpan.Zero, clock.Start.Offset);
    }

    [Theory]
    [InlineData("soon", "is not an ISO 8601 instant")]
    [InlineData("1999-12-31T23:59:59Z", "the days partitions are named for")]
    [InlineData("2199-12-31T00:00:00Z", "the days partitions are named for")] // tomorrow would have no partition name
    public void TryParse_NotAnInstantOrNoPartitionDay_SaysWhyAndNamesTheFlag(string text, string why)
    {
        Assert.False(AnchoredTimeProvider.TryParse(text, out var clock, out var error));
        Assert.Null(clock);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.Contains("--clock-start", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithClockStart_DatesItsPartitionsAndChecksByTheAnchor()
    {
        // A process an hour before the anchor's midnight: that day and the next exist, whatever the machine's calendar.
        using var dir = new TempDirectory();
        await using var ingest = IngestProcess.Start("serve", "--db", dir.File("x.db"), "--clock-start", "2030-06-30T23:00:00Z");
        await ingest.WaitReadyAsync();

        System.Text.Json.JsonElement health = default;
        await Wait.UntilAsync(() => (health = System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(ingest.Client, "/healthz").GetAwaiter().GetResult())
            .GetProperty("storage").GetProperty("partitions").GetInt32() == 2, "the writer to make its partitions");
        var storage = health.GetProperty("storage");
        Assert.Equal("20300630", storage.GetProperty("oldest_partition").GetString());
        Assert.Equal("20300701", storage.GetProperty("newest_partition").GetString());
        Assert.InRange(health.GetProperty("checked_at").GetDateTimeOffset(), new DateTimeOffset(2030, 6, 30, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 6, 30, 23, 10, 0, TimeSpan.Zero));
    }
}

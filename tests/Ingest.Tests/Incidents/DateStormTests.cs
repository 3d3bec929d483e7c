using Ingest.Accounting;
using System.Globalization;
using System.Text;
using Ingest.Pipeline;
using Ingest.Storage.Partitions;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Incidents;

/// <summary>
/// Issue 24: 40,000 tasks each dated on its own day between 1990 and 2099 made a partition for every day from 2000
/// to today (2,348 of them), one batch of 2,000 records took 243.6 s, and retention then spent ten minutes dropping
/// the empty days. Here scaled down to 5,000 tasks eight days apart over the same 110 years.
/// </summary>
public class DateStormTests
{
    private const int Tasks = 5000;

    [Fact]
    public async Task Post_TasksEachDatedOnItsOwnDayOver110Years_NoPartitionOutsideTheWindow_NoSlowBatch_EveryTaskStoredOrCounted_Issue24()
    {
        await using var factory = new IngestFactory().MovingClock();
        using var client = factory.CreateClient();
        var counters = factory.Services.GetRequiredService<IngestCounters>();
        var loop = factory.Services.GetRequiredService<FlushLoopState>();
        var channel = factory.Services.GetRequiredService<InvocationChannel>();
        var stall = factory.Services.GetRequiredService<PipelineOptions>().StallThreshold;

        var first = new DateTimeOffset(1990, 1, 1, 12, 0, 0, TimeSpan.Zero);
        for (var chunk = 0; chunk < Tasks; chunk += 500)
        {
            var body = new StringBuilder("[");
            for (var i = chunk; i < chunk + 500; i++)
            {
                var ts = first.AddDays(i * 8).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                body.Append(i == chunk ? "" : ", ")
                    .Append($$"""{"type": "task-received", "uuid": "storm-{{i}}", "name": "shop.tasks.work", "hostname": "w1@h", "timestamp": {{ts}}}, """)
                    .Append($$"""{"type": "task-succeeded", "uuid": "storm-{{i}}", "result": "None", "runtime": 0.1, "hostname": "w1@h", "timestamp": {{ts}}}""");
            }

            using var content = new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json");
            using var posted = await client.PostAsync("/api/events", content);
            posted.EnsureSuccessStatusCode();
        }

        await Wait.UntilAsync(
            () => counters.InvocationsReceived == Tasks && channel.Count + loop.InProgress == 0
                && counters.InvocationsFlushed + counters.DroppedTotal == Tasks,
            "every task of the storm to be written or counted");

        var window = PartitionWindow.For(TestClock.Now, 7);
        using (var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Mode=ReadOnly"))
        {
            connection.Open();
            var days = PartitionCatalog.ListDays(connection);
            Assert.All(days, d => Assert.True(window.Contains(d.Day), $"partition {d} outside {window}"));
            Assert.InRange(days.Count, 1, 8);
        }

        Assert.True(loop.MaxBatchDuration < stall, $"longest batch {loop.MaxBatchDuration.TotalSeconds:F1} s");
        Assert.True(loop.MaxStall < stall, $"longest stall {loop.MaxStall.TotalSeconds:F1} s");
        Assert.True(counters.Repaired(Repair.TimestampOutOfRange) > 0);
        Assert.Equal(Tasks, StoredInvocations.All(factory.DatabasePath).Count + counters.DroppedTotal);
        Assert.Equal(counters.InvocationsReceived, counters.InvocationsFlushed + counters.DroppedTotal + channel.Count + loop.InProgress);
    }
}

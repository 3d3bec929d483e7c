using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

/// <summary>Issue 29: the detail sample through the channel, the flush loop and SQLite, read back as the API reads.</summary>
public class DetailSampleFlushTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FlushLoop_SampledSuccessAndFailure_SuccessStoredFlaggedWithoutDetailsFailureKeepsThem_Issue29()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_now);
        var storage = new StorageOptions { DatabasePath = dir.File("sample.db") };
        var options = new PipelineOptions { BatchSize = 64, MaxBatchWait = TimeSpan.Zero, DetailSample = 1 };
        var h = new PipelineHarness(options, time,
            () => new SqliteBatchWriter(storage, new RetentionOptions(), new StorageStatus(), time, NullLogger.Instance));
        var failure = PipelineHarness.Record(999) with
        {
            State = TaskStates.Failure, Exception = "ValueError('boom')", Traceback = "Traceback (most recent call last):\nValueError: boom",
        };
        await using (h)
        {
            await h.StartAsync();
            // 50 successes of one task in the same instant: 50 a minute against a rate of 1.
            for (var i = 0; i < 50; i++)
            {
                h.Channel.Write(PipelineHarness.Record(i));
            }

            h.Channel.Write(failure);
        }

        var reader = new InvocationReader(storage);
        var stored = Enumerable.Range(0, 50).Select(i => reader.Get(PipelineHarness.Record(i).TaskId)).ToList();
        Assert.All(stored, Assert.NotNull);
        var sampled = stored.Where(r => r!.DetailsSampled).ToList();
        Assert.NotEmpty(sampled);
        Assert.All(sampled, r => Assert.Null(r!.Kwargs));
        Assert.All(stored.Where(r => !r!.DetailsSampled), r => Assert.NotNull(r!.Kwargs));
        Assert.Equal(sampled.Count, h.Counters.DetailsSampled);

        var failed = reader.Get(failure.TaskId);
        Assert.NotNull(failed);
        Assert.False(failed.DetailsSampled);
        Assert.Equal(failure.Kwargs, failed.Kwargs);
        Assert.Equal(failure.Traceback, failed.Traceback);
        Assert.Equal(51, h.Counters.InvocationsFlushed);
    }
}

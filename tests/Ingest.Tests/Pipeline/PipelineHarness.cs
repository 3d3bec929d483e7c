using Ingest.Accounting;
using Ingest.Diagnostics;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Tests.Support;
using Ingest.Tracking;

namespace Ingest.Tests.Pipeline;

/// <summary>Channel, tracker, flush loop and status wired as in the host, around a test writer.</summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public PipelineHarness(PipelineOptions options, TimeProvider time, Func<IBatchWriter> openWriter)
    {
        Options = options;
        Time = time;
        Counters = new IngestCounters(time);
        Channel = new InvocationChannel(options, Counters, time);
        Tracker = new TaskTracker(new TrackerOptions(), Channel, Counters, time, Channel.Budget);
        State = new FlushLoopState(time);
        Loop = new FlushLoop(Channel, Tracker, openWriter, options, Counters, State, time, TestLogger.For<FlushLoop>());
        Status = new IngestStatus(Counters, State, Channel, Tracker, new WorkerRegistry(new WorkerOptions(), time), options, time, []);
    }

    public PipelineOptions Options { get; }
    public TimeProvider Time { get; }
    public IngestCounters Counters { get; }
    public InvocationChannel Channel { get; }
    public TaskTracker Tracker { get; }
    public FlushLoopState State { get; }
    public FlushLoop Loop { get; }
    public IngestStatus Status { get; }

    public long Queued => Channel.Count + State.InProgress;

    public Task StartAsync() => Loop.StartAsync(CancellationToken.None);

    public async Task StopAsync()
    {
        // Bounded: a test that fails with its gate closed must not hang the run.
        using var deadline = new CancellationTokenSource(Wait.Default);
        await Loop.StopAsync(deadline.Token);
    }

    public void AssertBalanced() =>
        Assert.Equal(Counters.InvocationsReceived, Counters.InvocationsFlushed + Counters.DroppedTotal + Queued);

    public static InvocationRecord Record(int i) => new()
    {
        TaskId = $"task-{i:D6}",
        State = TaskStates.Success,
        StateAt = 1_795_376_624 + i,
        FinishedAt = 1_795_376_624 + i,
        Name = "shop.tasks.process_order",
        Args = "()",
        Kwargs = $"{{'order_id': {i}}}",
    };

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Loop.Dispose();
    }
}

using System.Runtime.CompilerServices;
using Ingest.Accounting;
using Ingest.Storage;
using Ingest.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Tracking;

/// <summary>
/// Finished tasks wait out their linger frozen (issue 29): no merge object for the collector to promote, the same
/// records when a late event thaws them, and a store that stays inside its chunks and never hands out a live slot's bytes.
/// </summary>
public class FrozenTaskStoreTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Touch_FinishedTask_LetsGoOfItsMergeObjectOnlyWhenFreezing_Issue29(bool freeze)
    {
        var map = new TrackedTaskMap(new TrackerOptions { FreezeFinished = freeze, FreezeFinishedAbove = 0 }, null, (_, _) => { });
        var (entry, merge) = TrackFinished(map, "a");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Frozen, nothing holds the merge (or its strings): they die young instead of lingering into gen2.
        Assert.Equal(freeze, entry.IsFrozen);
        Assert.Equal(!freeze, merge.IsAlive);
        Assert.Equal(TaskStates.Success, entry.Merge.State); // thawed on use, the same state
        Assert.Equal("{\"x\":1}", entry.Merge.Args);
    }

    [Fact]
    public void Apply_LateEventsOnFrozenTasks_WriteTheSameRecordsAsLiveMerges_Issue29()
    {
        var frozen = Replay(freeze: true, out var frozenTracker);
        var live = Replay(freeze: false, out _);

        Assert.Equal(live.Count, frozen.Count);
        for (var i = 0; i < live.Count; i++)
        {
            Assert.Equal(live[i] with { RetriedAt = null }, frozen[i] with { RetriedAt = null });
            Assert.Equal(live[i].RetriedAt, frozen[i].RetriedAt);
        }

        // Every finished task is frozen again after its late event, and a look does not keep one thawed.
        Assert.Equal(TaskStates.Failure, frozenTracker.TryGet("f")!.State);
        Assert.Equal(3, frozenTracker.Count);
    }

    [Fact]
    public void Release_OneSlotOfAChunk_TheChunkIsNotReusedWhileAnotherSlotInItIsLive_Issue29()
    {
        var store = new FrozenTaskStore(2 * FrozenTaskStore.ChunkBytes);
        Assert.True(store.TryFreeze(Finished("a", new string('a', 1000)), out var a));
        Assert.True(store.TryFreeze(Finished("b", new string('b', 1000)), out var b));
        store.Release(a);

        // Fill well past a chunk with slots freed as soon as they are made: only a chunk with no live slot is reused.
        for (var i = 0; i < 300; i++)
        {
            Assert.True(store.TryFreeze(Finished($"c{i}", new string('c', 1000)), out var c));
            store.Release(c);
        }

        Assert.Equal(new string('b', 1000), store.Thaw("b", b).Args);
        Assert.Equal(0, store.Live);
        Assert.Equal(2, store.Chunks);
        Assert.Equal(0, store.Declined);
    }

    [Fact]
    public void TryFreeze_StoreFull_DeclinesAndCountsAndTheTaskStaysALiveMerge_Issue29()
    {
        var store = new FrozenTaskStore(FrozenTaskStore.ChunkBytes);
        var big = new string('x', FrozenTaskStore.ChunkBytes / 3);
        Assert.True(store.TryFreeze(Finished("a", big), out var a));
        Assert.True(store.TryFreeze(Finished("b", big), out var b));
        Assert.False(store.TryFreeze(Finished("c", big), out _));
        Assert.Equal(1, store.Declined);

        store.Release(a);
        Assert.False(store.TryFreeze(Finished("d", big), out _)); // b still lives in the only chunk
        store.Release(b);
        Assert.True(store.TryFreeze(Finished("e", big), out _));
        Assert.Equal(1, store.Chunks);

        var map = new TrackedTaskMap(new TrackerOptions { FreezeFinishedAbove = 0 }, new MemoryBudget(1 << 20, _time), (_, _) => { });
        var entry = map.Track(Finished("f", new string('y', 100_000))); // more than a chunk: stays live
        map.Touch(entry);
        Assert.False(entry.IsFrozen);
        Assert.Equal(1, map.Frozen!.Declined);
    }

    [Theory]
    [InlineData("\ud800 lone high surrogate")]
    [InlineData("tail \udc00")]
    [InlineData("é 日本 \U0001F600 \u0001 \"q\" <b>")]
    public void Thaw_AnyText_IsTheTextFrozenOrTheTaskStaysLive_Issue29(string text)
    {
        var store = new FrozenTaskStore(FrozenTaskStore.ChunkBytes);
        var merge = Finished("a", text);

        if (store.TryFreeze(merge, out var slot))
        {
            Assert.Equal(merge.ToRecord(), store.Thaw("a", slot).ToRecord());
        }
        else
        {
            Assert.Equal(1, store.Declined);
        }
    }

    private List<InvocationRecord> Replay(bool freeze, out TaskTracker tracker)
    {
        var sink = new Support.ListSink();
        tracker = new TaskTracker(new TrackerOptions { FreezeFinished = freeze, FreezeFinishedAbove = 0 }, sink, new IngestCounters(), _time);
        var events = new List<CeleryEvent>
        {
            new() { Type = CeleryEventType.TaskReceived, Uuid = "s", Timestamp = 2, Name = "n", Args = "[1, \"é\"]", Kwargs = "{}", Hostname = "w1@h" },
            new() { Type = CeleryEventType.TaskSucceeded, Uuid = "s", Timestamp = 4, Result = "'ok'", Runtime = 1.5, Hostname = "w1@h" },
            new() { Type = CeleryEventType.TaskRetried, Uuid = "f", Timestamp = 3, Exception = "Retry()", Hostname = "w1@h" },
            new() { Type = CeleryEventType.TaskFailed, Uuid = "f", Timestamp = 6, Exception = "ValueError('x')", Traceback = "Traceback...\nValueError: x", Hostname = "w2@h" },
            new() { Type = CeleryEventType.TaskRevoked, Uuid = "r", Timestamp = 7, Terminated = true, Signum = 15 },
            // Late events for the three finished (and by now frozen) tasks.
            new() { Type = CeleryEventType.TaskSent, Uuid = "s", Timestamp = 1, Name = "n", Queue = "orders", Args = "[1, \"é\"]" },
            new() { Type = CeleryEventType.TaskRetried, Uuid = "f", Timestamp = 5, Exception = "Retry(again)", Hostname = "w1@h" },
            new() { Type = CeleryEventType.TaskSent, Uuid = "f", Timestamp = 1, Name = "m", Queue = "q2", Eta = "2026-12-06T12:00:00" },
            new() { Type = CeleryEventType.TaskStarted, Uuid = "r", Timestamp = 6.5, Hostname = "w3@h" },
            new() { Type = CeleryEventType.TaskSucceeded, Uuid = "s", Timestamp = 4, Result = "'ok'", Runtime = 1.5, Hostname = "w1@h" },
        };
        foreach (var e in events)
        {
            tracker.Apply(e);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return sink.Records;
    }

    private static TaskMerge Finished(string id, string args)
    {
        var merge = new TaskMerge(id);
        merge.Apply(new CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = id, Timestamp = 1, Name = "n", Args = args, Hostname = "w1@h" });
        merge.Apply(TaskMergeTests.Event(CeleryEventType.TaskSucceeded, 2, result: "'ok'", runtime: 1, id: id));
        return merge;
    }

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    // Not inlined, so that no local of the caller keeps the merge reachable.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TrackedEntry Entry, WeakReference Merge) TrackFinished(TrackedTaskMap map, string id)
    {
        var merge = Finished(id, "{\"x\":1}");
        var entry = map.Track(merge);
        map.Touch(entry);
        return (entry, new WeakReference(merge));
    }
}

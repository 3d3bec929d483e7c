using Ingest.Accounting;
using System.Text;
using System.Text.Json;
using Ingest.Decoding;
using Ingest.Storage;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Tracking;

public class TaskMergeTests
{
    private static readonly CeleryEventDecoder s_decoder =
        new(new DecoderOptions(), new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void Merge_EveryFixtureTask_MatchesWhatItsEventsSay()
    {
        var expected = ExpectedTask.From(Fixtures.AllEvents());
        var merges = new Dictionary<string, TaskMerge>();
        foreach (var e in FixtureTaskEvents())
        {
            if (!merges.TryGetValue(e.Uuid!, out var m))
            {
                merges[e.Uuid!] = m = new TaskMerge(e.Uuid!);
            }

            m.Apply(e);
        }

        Assert.Equal(expected.Count, merges.Count);
        foreach (var (id, want) in expected)
        {
            var got = merges[id].ToRecord();
            Assert.True(want.State == got.State, $"{id}: state {got.State}, events say {want.State}");
            Assert.True(want.Name == got.Name, $"{id}: name {got.Name}, events say {want.Name}");
            Assert.True(want.Retries == got.Retries, $"{id}: retries {got.Retries}, events say {want.Retries}");
            Assert.True(want.Runtime == got.RuntimeSeconds || want.State != TaskStates.Success, $"{id}: runtime {got.RuntimeSeconds}, events say {want.Runtime}");
            Assert.Equal(want.Exception, got.Exception);
            Assert.Equal(want.Result, got.Result);
        }
    }

    [Fact]
    public void Merge_FixtureTasksInShuffledArrivalOrder_GiveTheSameRecord()
    {
        var random = new Random(7);
        foreach (var group in FixtureTaskEvents().GroupBy(e => e.Uuid!))
        {
            var inOrder = Merge(group.Key, group);
            for (var round = 0; round < 12; round++)
            {
                var shuffled = group.OrderBy(_ => random.Next()).ToList();
                var other = Merge(group.Key, shuffled);
                Assert.Equal(Json(inOrder), Json(other));
            }
        }
    }

    [Fact]
    public void Merge_EveryEventDeliveredTwiceInAnyOrder_GivesTheSameRecordAsOnce_Issue13()
    {
        // At least once over AMQP: after a crash the broker redelivers what was not acknowledged.
        var random = new Random(13);
        foreach (var group in FixtureTaskEvents().GroupBy(e => e.Uuid!))
        {
            var once = Merge(group.Key, group);
            for (var round = 0; round < 12; round++)
            {
                var twice = group.Concat(group.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next()).ToList();
                Assert.Equal(Json(once), Json(Merge(group.Key, twice)));
            }
        }
    }

    [Fact]
    public void Snapshot_TakenAtAnyPoint_RestoresAMergeThatEndsTheSame_Issue13()
    {
        // A task checkpointed mid-flight and restored after kill -9 merges the rest (and redeliveries) as if it
        // had never left memory.
        foreach (var group in FixtureTaskEvents().GroupBy(e => e.Uuid!))
        {
            var events = group.ToList();
            var expected = Merge(group.Key, events);
            for (var cut = 0; cut <= events.Count; cut++)
            {
                var before = MergeState(group.Key, events.Take(cut));
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
                {
                    before.WriteSnapshot(w);
                }

                using var doc = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
                var restored = TaskMerge.ReadSnapshot(group.Key, doc.RootElement);
                Assert.Equal(Json(before.ToRecord()), Json(restored.ToRecord()));
                // The rest, with what was before the cut delivered again.
                foreach (var e in events.Skip(Math.Max(0, cut - 1)))
                {
                    restored.Apply(e);
                }

                Assert.Equal(Json(expected), Json(restored.ToRecord()));
            }
        }
    }

    [Fact]
    public void Merge_RetriedArrivingAfterNextAttemptsReceived_DoesNotHideTheLaterSuccess()
    {
        // As captured: the retry's task-received (retries=1) is timestamped before the task-retried of the attempt that raised.
        var merge = new TaskMerge("t");
        merge.Apply(Event(CeleryEventType.TaskReceived, 10.0, name: "flaky"));
        merge.Apply(Event(CeleryEventType.TaskStarted, 10.1));
        merge.Apply(Event(CeleryEventType.TaskReceived, 10.20, retries: 1));
        merge.Apply(Event(CeleryEventType.TaskStarted, 11.3));
        merge.Apply(Event(CeleryEventType.TaskSucceeded, 11.4, runtime: 0.1, result: "'ok'"));
        merge.Apply(Event(CeleryEventType.TaskRetried, 10.25, exception: "Retry()"));

        var r = merge.ToRecord();

        Assert.Equal(TaskStates.Success, r.State);
        Assert.Equal(1, r.Retries);
        Assert.Equal(11.4, r.FinishedAt);
        Assert.Null(r.Exception);
        Assert.Equal("'ok'", r.Result);
    }

    [Fact]
    public void Merge_LateStartedAfterSuccess_DoesNotUndoIt()
    {
        var merge = new TaskMerge("t");
        merge.Apply(Event(CeleryEventType.TaskSucceeded, 5.0, runtime: 1.0));
        merge.Apply(Event(CeleryEventType.TaskStarted, 4.0));

        Assert.Equal(TaskStates.Success, merge.ToRecord().State);
        Assert.Equal(4.0, merge.ToRecord().StartedAt);
    }

    [Fact]
    public void Merge_RetryThenNewAttemptStarted_IsStartedNotRetry()
    {
        var merge = new TaskMerge("t");
        merge.Apply(Event(CeleryEventType.TaskRetried, 5.0, exception: "Retry('x')"));
        merge.Apply(Event(CeleryEventType.TaskStarted, 6.0));

        var r = merge.ToRecord();
        Assert.Equal(TaskStates.Started, r.State);
        Assert.Null(r.FinishedAt);
        Assert.Null(r.Exception);
    }

    [Fact]
    public void Merge_FailureRuntime_IsTheStartedToFailedSpan()
    {
        var merge = new TaskMerge("t");
        merge.Apply(Event(CeleryEventType.TaskStarted, 100.0));
        merge.Apply(Event(CeleryEventType.TaskFailed, 102.5, exception: "ValueError('x')"));

        Assert.Equal(2.5, merge.ToRecord().RuntimeSeconds);
        Assert.Equal("ValueError", merge.ToRecord().ExceptionType);
    }

    [Fact]
    public void Merge_ParentIdEqualToOwnId_IsNotAParent()
    {
        var merge = new TaskMerge("t");
        merge.Apply(Event(CeleryEventType.TaskSent, 1.0, parentId: "t"));
        merge.Apply(Event(CeleryEventType.TaskSent, 0.5, parentId: "p"));

        Assert.Equal("p", merge.ToRecord().ParentId);
    }

    [Fact]
    public void Merge_SentOnly_IsPendingWithNoWorker()
    {
        var merge = new TaskMerge("t");
        merge.Apply(Event(CeleryEventType.TaskSent, 1.0, name: "n", hostname: "gen1@client"));

        var r = merge.ToRecord();
        Assert.Equal(TaskStates.Pending, r.State);
        Assert.Null(r.Worker);
        Assert.Equal(1.0, r.StateAt);
    }

    internal static IEnumerable<CeleryEvent> FixtureTaskEvents() =>
        Fixtures.Messages.SelectMany(m => s_decoder.Decode(m.Body).Events).Where(e => e.Type.IsTaskEvent()).ToList();

    private static TaskMerge MergeState(string id, IEnumerable<CeleryEvent> events)
    {
        var m = new TaskMerge(id);
        foreach (var e in events)
        {
            m.Apply(e);
        }

        return m;
    }

    private static InvocationRecord Merge(string id, IEnumerable<CeleryEvent> events) => MergeState(id, events).ToRecord();

    private static string Json(InvocationRecord r) => JsonSerializer.Serialize(r);

    internal static CeleryEvent Event(CeleryEventType type, double ts, string? name = null, int? retries = null, double? runtime = null,
        string? result = null, string? exception = null, string? parentId = null, string? hostname = "w1@h", string id = "t") => new()
    {
        Type = type,
        Uuid = id,
        Timestamp = ts,
        Name = name,
        Retries = retries,
        Runtime = runtime,
        Result = result,
        Exception = exception,
        ParentId = parentId,
        Hostname = hostname,
    };
}

using Ingest.Accounting;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Tracking;

/// <summary>The tracker's side of the in-flight checkpoint (issue 13): what a take writes, deletes and covers.</summary>
public class CheckpointTakeTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ListSink _sink = new();

    private TaskTracker Tracker() => new(new TrackerOptions { IdleTimeout = TimeSpan.FromSeconds(1) }, _sink, new IngestCounters(_time), _time);

    private static CeleryEvent Event(CeleryEventType type, string id, double ts, string? name = null) =>
        new() { Type = type, Uuid = id, Timestamp = ts, Name = name, Args = name is null ? null : "(1,)" };

    [Fact]
    public void Take_UnfinishedTaskChanged_IsWrittenOnce_FinishedBeforeTheTake_NeverTouchesIt()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskReceived, "running", 1, "t.slow"));
        tracker.Apply(Event(CeleryEventType.TaskReceived, "quick", 1, "t.fast"));
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, "quick", 2));

        var (delta, covered, _, complete) = tracker.TakeCheckpoint(goneThroughSeq: 0);

        Assert.Equal(["running"], delta.Upserts.Select(u => u.TaskId));
        Assert.Empty(delta.Deletes);
        Assert.Equal(3, covered);
        Assert.True(complete);
        Assert.Empty(tracker.TakeCheckpoint(0).Delta.Upserts); // nothing changed since
    }

    [Fact]
    public void Take_WithCheckpointRecords_CarriesTheUnfinishedTasksAsInvocationsWithNameArgsAndRetryTimes_Issue26()
    {
        var tracker = new TaskTracker(new TrackerOptions { CheckpointRecords = true }, _sink, new IngestCounters(_time), _time);
        tracker.Apply(Event(CeleryEventType.TaskReceived, "running", 1, "t.slow"));
        tracker.Apply(Event(CeleryEventType.TaskRetried, "running", 2));
        tracker.Apply(Event(CeleryEventType.TaskReceived, "quick", 1, "t.fast"));
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, "quick", 2));

        var record = Assert.Single(tracker.TakeCheckpoint(goneThroughSeq: 0).Delta.Records);

        Assert.Equal(("running", "t.slow", "(1,)", 1), (record.TaskId, record.Name, record.Args, record.Retries));
        Assert.Equal([2.0], record.RetriedAt!);
        var plain = Tracker();
        plain.Apply(Event(CeleryEventType.TaskReceived, "running", 1, "t.slow"));
        var (delta, _, _, _) = plain.TakeCheckpoint(0);
        // Off by default: on SQLite the one process restores its own checkpoint.
        Assert.Equal((1, 0), (delta.Upserts.Count, delta.Records.Count));
    }

    [Fact]
    public void Take_RowOfATaskWrittenEarly_GoesOnlyOnceItsRecordIsGone_AndANewLifeWaitsForIt()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskReceived, "t", 1, "t.named"));
        Assert.Single(tracker.TakeCheckpoint(0).Delta.Upserts);

        _time.Advance(TimeSpan.FromSeconds(2));
        tracker.Sweep(); // idle: written early as record 1, its row to go once record 1 is committed
        tracker.Apply(Event(CeleryEventType.TaskStarted, "t", 5)); // a new life of the same task, without the name

        // Record 1 not yet committed: the new state must not overwrite the row that has the name.
        var waiting = tracker.TakeCheckpoint(goneThroughSeq: 0);
        Assert.Empty(waiting.Delta.Upserts);
        Assert.Empty(waiting.Delta.Deletes);
        Assert.False(waiting.Complete);

        var after = tracker.TakeCheckpoint(goneThroughSeq: 1);
        Assert.Equal(["t"], after.Delta.Upserts.Select(u => u.TaskId));
        Assert.Empty(after.Delta.Deletes); // the upsert replaces the row
    }

    [Fact]
    public void Take_AfterAFailedCommit_CoversNothingItHeldUntilTakenAgain()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskReceived, "t", 1, "t.x"));
        var failed = tracker.TakeCheckpoint(0);
        Assert.Equal(1, failed.AppliedSeq);

        tracker.Recheckpoint(failed.Delta);
        tracker.Apply(Event(CeleryEventType.TaskReceived, "u", 2, "t.y"));
        var capped = tracker.TakeCheckpoint(0, maxBytes: 0); // the take's byte cap is hit before "t" is taken again

        Assert.False(capped.Complete);
        Assert.True(capped.AppliedSeq < 1, $"covered {capped.AppliedSeq}: the failed take's events are not durable");
    }

    [Fact]
    public void Restore_TasksFromRows_AreInFlightAgain_AnUnreadableRowIsCountedAndDeletedByTheNextTake()
    {
        var first = Tracker();
        first.Apply(Event(CeleryEventType.TaskReceived, "t", 1, "t.named"));
        var rows = first.TakeCheckpoint(0).Delta.Upserts.Append(new Ingest.Storage.Checkpoint.CheckpointRow("broken", "{not json", 1)).ToList();

        var restarted = Tracker();
        Assert.Equal(1, restarted.Restore(rows));

        Assert.Equal(1, restarted.RestoreFailed);
        Assert.Equal("t.named", restarted.TryGet("t")?.Name);
        Assert.Equal(["broken"], restarted.TakeCheckpoint(0).Delta.Deletes);
    }

    [Fact]
    public void Take_AfterFlushAllKeepingTheCheckpoint_StillWritesTheUnfinishedTasksLastChanges()
    {
        // serve: a task unfinished at shutdown stays in the checkpoint, with what changed since the last take.
        var tracker = TrackerWithATaskChangedSinceItsRow();

        Assert.Equal(1, tracker.FlushAll(keepCheckpoint: true));

        var take = tracker.TakeCheckpoint(goneThroughSeq: 1);
        var row = Assert.Single(take.Delta.Upserts);
        Assert.Equal("t", row.TaskId);
        Assert.Contains("STARTED", row.State, StringComparison.Ordinal);
        Assert.Empty(take.Delta.Deletes);
    }

    [Fact]
    public void Take_AfterFlushAllWithoutKeeping_DeletesTheRowOnceItsRecordIsGone()
    {
        // replay: a capture's unfinished tasks are history once written.
        var tracker = TrackerWithATaskChangedSinceItsRow();

        tracker.FlushAll(keepCheckpoint: false);

        var waiting = tracker.TakeCheckpoint(goneThroughSeq: 0);
        Assert.Empty(waiting.Delta.Upserts);
        Assert.Empty(waiting.Delta.Deletes);
        Assert.Equal(["t"], tracker.TakeCheckpoint(goneThroughSeq: 1).Delta.Deletes);
    }

    /// <summary>Task "t" has a checkpoint row, and has started since that row was taken.</summary>
    private TaskTracker TrackerWithATaskChangedSinceItsRow()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskReceived, "t", 1, "t.named"));
        Assert.Single(tracker.TakeCheckpoint(0).Delta.Upserts);
        tracker.Apply(Event(CeleryEventType.TaskStarted, "t", 2));
        return tracker;
    }
}

using Ingest.Tracking;

namespace Ingest.Tests.Tracking;

/// <summary>The tracker entry's life: in flight, emitted, then released to its record or kept for the next start.</summary>
public class TrackedEntryTests
{
    private static TrackedEntry Entry() => new(new TaskMerge("t"));

    [Fact]
    public void New_IsInFlightTrackedAndTakenByTheCheckpoint_AndEmitsOnlyOnATerminalEvent()
    {
        var entry = Entry();

        Assert.Equal(TrackedState.InFlight, entry.State);
        Assert.True(entry.IsTracked);
        Assert.True(entry.CheckpointTakesIt);
        Assert.True(entry.EmitsOn(terminal: true, changed: false));
        Assert.False(entry.EmitsOn(terminal: false, changed: true));
    }

    [Fact]
    public void MarkEmitted_FromInFlight_IsEmitted_AndAnyLaterChangeEmitsAgain()
    {
        var entry = Entry();

        entry.MarkEmitted();
        entry.MarkEmitted(); // sent again after a late event: still emitted

        Assert.Equal(TrackedState.Emitted, entry.State);
        Assert.True(entry.EmitsOn(terminal: false, changed: true));
        Assert.False(entry.EmitsOn(terminal: false, changed: false));
        Assert.True(entry.CheckpointTakesIt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LeaveMap_InFlightOrEmitted_IsReleasedToItsRecord_AndTheCheckpointTakesNoMore(bool emitted)
    {
        var entry = Entry();
        if (emitted)
        {
            entry.MarkEmitted();
        }

        entry.LeaveMap();

        Assert.Equal(TrackedState.Released, entry.State);
        Assert.False(entry.IsTracked);
        Assert.False(entry.CheckpointTakesIt);
        Assert.Null(entry.List);
    }

    [Fact]
    public void KeepForRestart_ThenLeaveMap_StaysKept_AndTheCheckpointStillTakesIt()
    {
        var entry = Entry();
        entry.MarkEmitted(); // a retried task, written at shutdown

        entry.KeepForRestart();
        entry.LeaveMap();

        Assert.Equal(TrackedState.KeptForRestart, entry.State);
        Assert.False(entry.IsTracked);
        Assert.True(entry.CheckpointTakesIt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Transitions_OutOfTheMap_AreRefused_ButAKeptEntryMayLeaveItAgain(bool kept)
    {
        var entry = Entry();
        if (kept)
        {
            entry.KeepForRestart();
        }
        else
        {
            entry.LeaveMap();
        }

        var left = entry.State;
        Assert.Throws<InvalidOperationException>(entry.MarkEmitted);
        Assert.Throws<InvalidOperationException>(entry.KeepForRestart);
        Assert.Throws<InvalidOperationException>(() => entry.EmitsOn(terminal: true, changed: true));
        if (kept)
        {
            entry.LeaveMap(); // FlushAll empties the map after keeping its unfinished tasks
        }
        else
        {
            Assert.Throws<InvalidOperationException>(entry.LeaveMap);
        }

        Assert.Equal(left, entry.State);
        Assert.Equal(kept ? TrackedState.KeptForRestart : TrackedState.Released, left);
    }
}

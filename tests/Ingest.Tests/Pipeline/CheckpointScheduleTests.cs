using Ingest.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

public class CheckpointScheduleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void IsDue_NeverTaken_IsDue()
    {
        var schedule = new CheckpointSchedule(TimeSpan.FromSeconds(1), _time);

        Assert.True(schedule.IsDue(durabilityRequested: false));
    }

    [Fact]
    public void IsDue_AfterATake_WaitsOneInterval()
    {
        var schedule = new CheckpointSchedule(TimeSpan.FromSeconds(1), _time);
        schedule.Taken();

        Assert.False(schedule.IsDue(durabilityRequested: false));
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(schedule.IsDue(durabilityRequested: false));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(schedule.IsDue(durabilityRequested: false));
    }

    [Fact]
    public void IsDue_DurabilityRequested_IsDueAtOnceAfterATake()
    {
        var schedule = new CheckpointSchedule(TimeSpan.FromMinutes(5), _time);
        schedule.Taken();

        Assert.True(schedule.IsDue(durabilityRequested: true));
    }

    [Fact]
    public void IsDue_ZeroInterval_IsNeverDueEvenWhenRequested()
    {
        var schedule = new CheckpointSchedule(TimeSpan.Zero, _time);

        Assert.False(schedule.Enabled);
        Assert.False(schedule.IsDue(durabilityRequested: true));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(schedule.IsDue(durabilityRequested: false));
    }
}

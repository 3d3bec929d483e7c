using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;

namespace Ingest.Storage.Tests.Retention;

public class RetentionPlannerTests
{
    private static readonly DayPartition s_today = new(new DateOnly(2026, 11, 22));

    private static DayPartition Day(int d) => new(new DateOnly(2026, 11, d));

    [Fact]
    public void Next_SevenDays_KeepsTodayAndTheSixBefore_DropsTheOldestFirst()
    {
        DayPartition[] days = [Day(14), Day(15), Day(16), Day(17), Day(22), Day(23)];

        Assert.Equal(new DropPlan(Day(14), DropCause.Retention), RetentionPlanner.Next(s_today, 7, days, null, false, false));
        Assert.Equal(new DropPlan(Day(15), DropCause.Retention), RetentionPlanner.Next(s_today, 7, days[1..], null, false, false));
        Assert.Null(RetentionPlanner.Next(s_today, 7, days[2..], null, false, false));
    }

    [Fact]
    public void Next_LegacyWhoseNewestRowIsPastRetention_IsDroppedWhole()
    {
        var newest = Day(15).StartUnixSeconds + 3600;

        Assert.True(RetentionPlanner.Next(s_today, 7, [s_today], newest, true, false)!.IsLegacy);
        Assert.Null(RetentionPlanner.Next(s_today, 8, [s_today], newest, true, false));
    }

    [Fact]
    public void Next_UnderPressure_DropsLegacyFirstThenOldestDayButNeverToday()
    {
        var recent = s_today.StartUnixSeconds;

        Assert.Equal(new DropPlan(null, DropCause.DiskPressure), RetentionPlanner.Next(s_today, 7, [Day(20), s_today], recent, true, true));
        Assert.Equal(new DropPlan(Day(20), DropCause.DiskPressure), RetentionPlanner.Next(s_today, 7, [Day(20), s_today, Day(23)], null, false, true));
        Assert.Null(RetentionPlanner.Next(s_today, 7, [s_today, Day(23)], null, false, true));
    }

    [Fact]
    public void NextDetailDrop_TwoDetailDays_StripsOlderDaysOldestFirstOnceEach()
    {
        IReadOnlyCollection<DayPartition> days = [Day(23), Day(18), s_today, Day(20), Day(21)];

        Assert.Equal(Day(18), RetentionPlanner.NextDetailDrop(s_today, 2, days, null));
        Assert.Equal(Day(20), RetentionPlanner.NextDetailDrop(s_today, 2, days, new DateOnly(2026, 11, 18)));
        // Today and yesterday (21st) keep their details; tomorrow's partition too.
        Assert.Null(RetentionPlanner.NextDetailDrop(s_today, 2, days, new DateOnly(2026, 11, 20)));
        Assert.Null(RetentionPlanner.NextDetailDrop(s_today, 0, days, null));
        Assert.Equal(Day(21), RetentionPlanner.NextDetailDrop(s_today, 1, days, new DateOnly(2026, 11, 20)));
    }
}

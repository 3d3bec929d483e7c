using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Partitions;

public class PartitionWindowTests
{
    private static readonly DateOnly s_today = new(2026, 11, 22);

    [Theory]
    [InlineData(1, "2026-11-22")]
    [InlineData(7, "2026-11-16")]
    [InlineData(30, "2026-10-24")]
    [InlineData(3650, "2016-11-25")]
    public void For_RetentionDays_RunsFromTheOldestKeptDayToTomorrow_Issue24(int days, string first)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 13, 5, 0, TimeSpan.Zero));

        var window = PartitionWindow.For(time.GetUtcNow(), days);

        Assert.Equal(DateOnly.Parse(first, System.Globalization.CultureInfo.InvariantCulture), window.First);
        Assert.Equal(new DateOnly(2026, 11, 23), window.Last);
        Assert.Equal(days + 1, window.Last.DayNumber - window.First.DayNumber + 1);
    }

    [Fact]
    public void For_AcrossMidnight_MovesByOneDayAtTheUtcMidnight_Issue24()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 23, 59, 59, TimeSpan.Zero));
        var before = PartitionWindow.For(time.GetUtcNow(), 7);

        time.Advance(TimeSpan.FromSeconds(1));
        var after = PartitionWindow.For(time.GetUtcNow(), 7);

        Assert.Equal((new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 23)), (before.First, before.Last));
        Assert.Equal((new DateOnly(2026, 11, 17), new DateOnly(2026, 11, 24)), (after.First, after.Last));
        Assert.Equal(new DateTimeOffset(2026, 11, 17, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), after.StartUnixSeconds);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), after.EndUnixSeconds);
    }

    [Fact]
    public void For_NoRetention_ReachesBackToTheFirstPartitionDay()
    {
        var window = PartitionWindow.ForDay(s_today, null);

        Assert.Equal(DayPartition.MinDay, window.First);
        Assert.Equal(s_today.AddDays(1), window.Last);
    }

    [Fact]
    public void For_RetentionLongerThanThePartitionDays_StopsAtTheFirstPartitionDay()
    {
        Assert.Equal(DayPartition.MinDay, PartitionWindow.ForDay(new DateOnly(2001, 1, 1), 3650).First);
    }

    [Fact]
    public void Place_DayOutsideTheWindow_IsExistingOnlyIfItsPartitionIsThere_Issue24()
    {
        var window = PartitionWindow.ForDay(s_today, 7);
        var oldDay = new DayPartition(s_today.AddDays(-30));
        IReadOnlyCollection<DayPartition> existing = new SortedSet<DayPartition> { oldDay, new(s_today) };

        Assert.Equal(DayPlacement.Existing, window.Place(s_today, existing));
        Assert.Equal(DayPlacement.Existing, window.Place(oldDay.Day, existing));
        Assert.Equal(DayPlacement.New, window.Place(s_today.AddDays(-6), existing));
        Assert.Equal(DayPlacement.New, window.Place(s_today.AddDays(1), existing));
        Assert.Equal(DayPlacement.OutsideWindow, window.Place(s_today.AddDays(-7), existing));
        Assert.Equal(DayPlacement.OutsideWindow, window.Place(s_today.AddDays(2), existing));
        Assert.Equal(DayPlacement.OutsideWindow, window.Place(new DateOnly(1990, 1, 1), existing));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(400)]
    public void RetentionPlanner_DropsExactlyTheDaysBeforeTheWindow(int days)
    {
        var window = PartitionWindow.ForDay(s_today, days);
        var before = new DayPartition(window.First.AddDays(-1));
        var first = new DayPartition(window.First);

        Assert.Equal(before, RetentionPlanner.Next(new DayPartition(s_today), days, [before, first], null, false, false)?.Day);
        Assert.Null(RetentionPlanner.Next(new DayPartition(s_today), days, [first], null, false, false));
    }
}

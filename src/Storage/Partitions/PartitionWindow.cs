using System.Globalization;

namespace Ingest.Storage.Partitions;

/// <summary>
/// The days that may hold partitions: from the oldest day retention keeps to tomorrow, UTC (issue 24: one sender
/// dating 40,000 tasks each on its own day made 2,348 partitions, one batch took 243.6 s, and retention then spent
/// ten minutes dropping the empty days). A day outside it never gets tables: the decoder re-dates such timestamps to
/// their arrival, and the flush loop sets aside, counted, a record still dated outside when it is written. Pure:
/// the same <c>now</c> and retention give the same window, and retention's planner drops exactly what lies before it.
/// </summary>
/// <param name="First">The oldest day that may hold a partition.</param>
/// <param name="Last">The newest day that may hold a partition: tomorrow, where events of a clock a little ahead land.</param>
public readonly record struct PartitionWindow(DateOnly First, DateOnly Last)
{
    /// <summary>The window on <paramref name="now"/>'s UTC day.</summary>
    /// <param name="now">The current time (the clock's, or an event's arrival).</param>
    /// <param name="retentionDays">Days retention keeps, today included; null when retention drops no day (then every day back to <see cref="DayPartition.MinDay"/>).</param>
    public static PartitionWindow For(DateTimeOffset now, int? retentionDays) => ForDay(DateOnly.FromDateTime(now.UtcDateTime), retentionDays);

    /// <summary>The window on UTC day <paramref name="today"/>; see <see cref="For"/>.</summary>
    public static PartitionWindow ForDay(DateOnly today, int? retentionDays)
    {
        var first = retentionDays is { } days ? today.AddDays(-(Math.Max(1, days) - 1)) : DayPartition.MinDay;
        var last = today < DayPartition.MaxDay ? today.AddDays(1) : DayPartition.MaxDay;
        return new(first < DayPartition.MinDay ? DayPartition.MinDay : first, last);
    }

    /// <summary>Midnight UTC starting <see cref="First"/>, Unix seconds: an earlier time is before the window.</summary>
    public double StartUnixSeconds => UnixSeconds(First);

    /// <summary>Midnight UTC ending <see cref="Last"/>, Unix seconds: this time and later are past the window.</summary>
    public double EndUnixSeconds => UnixSeconds(Last.AddDays(1));

    /// <summary>Whether <paramref name="day"/> may hold a partition.</summary>
    public bool Contains(DateOnly day) => day >= First && day <= Last;

    /// <summary>Where a record of <paramref name="day"/> goes: its existing partition, a new one inside the window, or nowhere.</summary>
    /// <param name="day">The record's day.</param>
    /// <param name="existing">The partitions present.</param>
    public DayPlacement Place(DateOnly day, IReadOnlyCollection<DayPartition> existing)
    {
        if (day >= DayPartition.MinDay && day <= DayPartition.MaxDay && existing.Contains(new DayPartition(day)))
        {
            return DayPlacement.Existing;
        }

        return Contains(day) ? DayPlacement.New : DayPlacement.OutsideWindow;
    }

    public override string ToString() =>
        First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".." + Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static double UnixSeconds(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
}

using Ingest.Storage.Partitions;

namespace Ingest.Storage.Retention;

/// <summary>
/// Decides the next whole-table drop, one per maintenance step. Pure: given the day, the partitions that exist,
/// the legacy table's newest time and the pressure flags, it answers without touching SQLite.
/// </summary>
public static class RetentionPlanner
{
    /// <param name="today">Today's UTC partition.</param>
    /// <param name="retentionDays">Days kept, today included.</param>
    /// <param name="days">Partitions present, oldest first.</param>
    /// <param name="legacyNewest">Newest time in the legacy table (Unix seconds); null if absent or empty.</param>
    /// <param name="legacyPresent">Whether legacy tables exist.</param>
    /// <param name="underPressure">Over the size cap or under the free-space floor.</param>
    public static DropPlan? Next(DayPartition today, int retentionDays, IReadOnlyCollection<DayPartition> days,
        double? legacyNewest, bool legacyPresent, bool underPressure)
    {
        // The window the writer creates partitions in starts at the same day: what it may create, this keeps.
        var keepFrom = new DayPartition(PartitionWindow.ForDay(today.Day, retentionDays).First);
        if (legacyPresent && (legacyNewest is null || DayPartition.FromUnixSeconds(legacyNewest.Value) < keepFrom))
        {
            return new DropPlan(null, DropCause.Retention);
        }

        var oldest = days.Count > 0 ? days.Min() : (DayPartition?)null;
        if (oldest is { } o && o < keepFrom)
        {
            return new DropPlan(o, DropCause.Retention);
        }

        if (!underPressure)
        {
            return null;
        }

        if (legacyPresent)
        {
            return new DropPlan(null, DropCause.DiskPressure);
        }

        // Under pressure, never today's or tomorrow's: they are where new invocations land.
        return oldest is { } p && p < today ? new DropPlan(p, DropCause.DiskPressure) : null;
    }

    /// <summary>
    /// The next day whose details to drop: the oldest present day older than the detail retention and newer than
    /// the last day already done (days go oldest first, so one marker says which are done). Null when none is due
    /// or <paramref name="detailDays"/> is 0 (details kept as long as rows).
    /// </summary>
    public static DayPartition? NextDetailDrop(DayPartition today, int detailDays, IReadOnlyCollection<DayPartition> days, DateOnly? droppedThrough)
    {
        if (detailDays <= 0)
        {
            return null;
        }

        var keepFrom = today.Day.AddDays(-(detailDays - 1));
        foreach (var day in days.Order())
        {
            if (day.Day >= keepFrom)
            {
                return null;
            }

            if (droppedThrough is null || day.Day > droppedThrough.Value)
            {
                return day;
            }
        }

        return null;
    }

    /// <summary>
    /// The next day whose minute rollup to drop: the oldest that holds no minute of the last
    /// <paramref name="keep"/> (its whole day ended before now minus keep). Null when none is due.
    /// </summary>
    public static DateOnly? NextMinuteDrop(DateTimeOffset now, TimeSpan keep, IReadOnlyCollection<DateOnly> minuteDays)
    {
        var keepFrom = DateOnly.FromDateTime((now - keep).UtcDateTime);
        return minuteDays.Count > 0 && minuteDays.Min() is var oldest && oldest < keepFrom ? oldest : null;
    }
}

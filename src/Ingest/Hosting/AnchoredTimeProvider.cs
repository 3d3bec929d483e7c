using System.Globalization;

namespace Ingest.Hosting;

/// <summary>
/// A clock that starts at a given instant and then runs at the wall clock's rate: timers, delays and elapsed
/// times are real, the date is the anchor's. Set by <c>Ingest:ClockStart</c> (environment
/// <c>Ingest__ClockStart</c>, an ISO 8601 instant): a process serving a dated capture (a test, a demo of last
/// month's incident) then keeps the capture's days as today and yesterday instead of dropping them for age, and
/// a test's data and the process agree on the date whatever the machine's calendar says.
/// </summary>
public sealed class AnchoredTimeProvider : TimeProvider
{
    public const string SettingKey = "Ingest:ClockStart";

    private const string Named = SettingKey + " (--clock-start, environment Ingest__ClockStart)";

    private readonly DateTimeOffset _start;
    private readonly long _startTimestamp;

    public AnchoredTimeProvider(DateTimeOffset start)
    {
        _start = start.ToUniversalTime();
        _startTimestamp = GetTimestamp();
    }

    public DateTimeOffset Start => _start;

    public override DateTimeOffset GetUtcNow() => _start + GetElapsedTime(_startTimestamp);

    /// <summary>The clock a setting names, or an error an operator can act on.</summary>
    public static bool TryParse(string text, out AnchoredTimeProvider? clock, out string? error)
    {
        clock = null;
        error = null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            error = $"{Named}: '{text}' is not an ISO 8601 instant (for example 2026-11-22T12:00:00Z)";
            return false;
        }

        // Today and tomorrow must both be days a partition can be named for.
        var day = DateOnly.FromDateTime(start.UtcDateTime);
        if (day < Storage.Partitions.DayPartition.MinDay || day >= Storage.Partitions.DayPartition.MaxDay)
        {
            error = $"{Named}: '{text}' is outside {Storage.Partitions.DayPartition.MinDay:yyyy-MM-dd} .. {Storage.Partitions.DayPartition.MaxDay.AddDays(-1):yyyy-MM-dd}, the days partitions are named for";
            return false;
        }

        clock = new AnchoredTimeProvider(start);
        return true;
    }
}

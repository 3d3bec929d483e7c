namespace Ingest.Insights;

/// <summary>
/// Turns a requested range into a <see cref="RangePlan"/> (issue 25: "15 min" showed the current hour as one bar,
/// and "24 h" spanned 25 hours, because every figure came from whole hours).
/// </summary>
public static class RangePlanner
{
    public const double Minute = 60;
    public const double Hour = 3600;

    /// <summary>Ranges up to this long are read from the minute rollup alone (in minute buckets).</summary>
    public static readonly TimeSpan MinuteRangeLimit = TimeSpan.FromHours(6);

    /// <summary>How far back minute rows are kept (the storage's minute retention).</summary>
    public static readonly TimeSpan MinutesKept = Storage.Writing.InvocationWriter.MinuteRetention;

    /// <summary>The minute buckets a minute range may be cut into, smallest first.</summary>
    private static readonly int[] MinuteBuckets = [60, 120, 300, 600, 900, 1800];

    /// <summary>Most buckets an automatic minute series holds ("1 h" is 60 one-minute buckets).</summary>
    public const int MinuteSeriesBuckets = 60;

    /// <summary>
    /// The plan of [since, until) at <paramref name="now"/>: until defaults to now, since to 24 h before until. The end is
    /// the end of its minute (the minute in progress included); the start is the end less the range's length in whole
    /// minutes, so "15 min" is 15 one-minute buckets, the last in progress.
    /// </summary>
    /// <param name="bucketSeconds">A requested bucket length, or null for the automatic one.</param>
    /// <param name="minutesComplete">Whether the minute rollup holds every run the hourly one counts in [hour, hour end).</param>
    /// <param name="error">Why the plan is refused (a minute bucket where the range is read in hours).</param>
    public static RangePlan? Plan(double? since, double? until, double now, int? bucketSeconds, Func<double, double, bool> minutesComplete, out string? error)
    {
        error = null;
        var to = until ?? now;
        var from = since ?? to - (24 * Hour);
        var end = Math.Ceiling(to / Minute) * Minute;
        var start = end - Math.Max(Minute, Math.Round((to - from) / Minute) * Minute);
        var minutesFrom = now - MinutesKept.TotalSeconds;
        var firstHour = Math.Floor(start / Hour) * Hour;
        var endHour = Math.Ceiling(end / Hour) * Hour;
        var wantsMinutes = bucketSeconds is { } b && b % Hour != 0;
        if (end - start <= MinuteRangeLimit.TotalSeconds && start >= minutesFrom && (bucketSeconds is null || wantsMinutes) && minutesComplete(firstHour, endHour))
        {
            return new RangePlan(start, end, bucketSeconds ?? AutoMinuteBucket(end - start), end, end, false, false);
        }

        if (wantsMinutes)
        {
            error = "bucket is a whole number of hours or days here: minute buckets need a range of at most 6 hours within the last 48 hours";
            return null;
        }

        // The hour a boundary cuts: its minutes when they are all there, or else the whole hour, and the answer says so.
        var (hourFrom, roundedStart) = (firstHour, false);
        if (start > firstHour)
        {
            if (start >= minutesFrom && minutesComplete(firstHour, firstHour + Hour))
            {
                hourFrom = firstHour + Hour;
            }
            else
            {
                (start, roundedStart) = (firstHour, true);
            }
        }

        // At the end only a past hour is cut: the hour in progress holds nothing after now anyway.
        var (hourTo, roundedEnd) = (endHour, false);
        if (end < endHour && end < now)
        {
            if (endHour - Hour >= minutesFrom && minutesComplete(endHour - Hour, endHour))
            {
                hourTo = endHour - Hour;
            }
            else
            {
                (end, roundedEnd) = (endHour, true);
            }
        }

        var bucket = bucketSeconds ?? (int)(TaskInsights.AutoBucketHours(start, end) * Hour);
        return new RangePlan(start, end, bucket, hourFrom, Math.Max(hourFrom, hourTo), roundedStart, roundedEnd);
    }

    /// <summary>The smallest minute bucket that cuts <paramref name="seconds"/> into at most <see cref="MinuteSeriesBuckets"/>.</summary>
    public static int AutoMinuteBucket(double seconds) =>
        MinuteBuckets.FirstOrDefault(b => seconds / b <= MinuteSeriesBuckets, MinuteBuckets[^1]);

    /// <summary>A bucket's name: 1m, 10m, 1h, 4h, 1d.</summary>
    public static string BucketName(int seconds) =>
        seconds % 86400 == 0 ? $"{seconds / 86400}d" : seconds % 3600 == 0 ? $"{seconds / 3600}h" : $"{seconds / 60}m";
}

namespace Ingest.Insights;

/// <summary>
/// The range a page's figures cover and where each part of it is read from (issue 25): hourly rows for the whole
/// hours [<see cref="HourFrom"/>, <see cref="HourTo"/>), minute rows for the rest of [<see cref="From"/>,
/// <see cref="To"/>). A range of up to six hours within the last 48 is read from minutes alone; a longer one from
/// hours, with the minutes of the hour a boundary cuts. Where those minutes are missing the boundary is rounded out
/// to the hour, and <see cref="RoundedStart"/> or <see cref="RoundedEnd"/> says so.
/// </summary>
/// <param name="From">Start of the range (Unix seconds, on a minute).</param>
/// <param name="To">End of the range, exclusive (on a minute; past now while the last minute is in progress).</param>
/// <param name="BucketSeconds">Length of a series bucket: whole minutes when read from minutes, whole hours otherwise.</param>
/// <param name="HourFrom">First hour read from the hourly rollup.</param>
/// <param name="HourTo">End of the hours read from the hourly rollup (equal to HourFrom: none).</param>
/// <param name="RoundedStart">The start was moved back to its hour: that hour's minutes are not kept.</param>
/// <param name="RoundedEnd">The end was moved on to its hour's end, for the same reason.</param>
public sealed record RangePlan(double From, double To, int BucketSeconds, double HourFrom, double HourTo, bool RoundedStart, bool RoundedEnd)
{
    /// <summary>Whether every figure is read from the minute rollup.</summary>
    public bool MinutesOnly => HourTo <= HourFrom;

    /// <summary>The parts of the range read from the minute rollup: before the first whole hour, and after the last.</summary>
    public IEnumerable<(double From, double To)> MinuteParts()
    {
        if (MinutesOnly)
        {
            yield return (From, To);
            yield break;
        }

        if (From < HourFrom)
        {
            yield return (From, HourFrom);
        }

        if (HourTo < To)
        {
            yield return (HourTo, To);
        }
    }

    /// <summary>
    /// The series' buckets: from the start in steps of <see cref="BucketSeconds"/> (hourly buckets on the bucket's grid,
    /// so a week's 4 h buckets start at 00:00, 04:00, ...), the first and last cut at the range's bounds. Partial: shorter
    /// than a bucket, or not over yet at <paramref name="now"/>.
    /// </summary>
    public IReadOnlyList<(double From, double To, bool Partial)> Buckets(double now)
    {
        var buckets = new List<(double, double, bool)>();
        var first = MinutesOnly ? From : Math.Floor(From / BucketSeconds) * BucketSeconds;
        for (var at = first; at < To; at += BucketSeconds)
        {
            var (from, to) = (Math.Max(at, From), Math.Min(at + BucketSeconds, To));
            buckets.Add((from, to, to - from < BucketSeconds || to > now));
        }

        return buckets;
    }
}

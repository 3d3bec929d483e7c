using Ingest.Accounting;

namespace Ingest.Decoding;

/// <summary>
/// Which time an event is stored at: its own timestamp when believable, else its arrival. Worker clocks drift by
/// seconds; a sender that dates events years off (1970, 3000) would otherwise win or lose every merge.
/// </summary>
internal static class EventTimestamps
{
    /// <summary>When a body arrived, Unix seconds: as given (replay passes the capture's time), else now.</summary>
    public static double Arrival(double? arrivalSeconds, TimeProvider time) =>
        arrivalSeconds ?? time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>
    /// The event's timestamp if it was a number between <see cref="CeleryEventDecoder.MinTimestamp"/> (or the first day
    /// retention keeps, <see cref="DecoderOptions.RetentionDays"/>, counted back from the arrival's day) and
    /// <see cref="DecoderOptions.MaxFutureSkew"/> past arrival; otherwise the arrival, with the repair counted.
    /// </summary>
    /// <remarks>
    /// A time before the days retention keeps is a broken clock as much as one in the future (issue 24: a sender
    /// dating tasks on every day since 2000 made a partition per day). Re-dated to its arrival, the event is kept and
    /// lands on a day that exists; kept at its own date, it would make a day that retention drops at its next step.
    /// </remarks>
    public static double Check(double? timestamp, bool wrongType, double arrival, DecoderOptions options, DecodedBody result)
    {
        if (timestamp is not { } ts || wrongType)
        {
            result.Note(Repair.TimestampMissing);
            return arrival;
        }

        if (double.IsNaN(ts) || ts < Earliest(arrival, options.RetentionDays) || ts > arrival + options.MaxFutureSkew.TotalSeconds)
        {
            result.Note(Repair.TimestampOutOfRange);
            return arrival;
        }

        return ts;
    }

    /// <summary>The earliest believable time: 2000, or the start of the first day retention keeps on the arrival's day.</summary>
    private static double Earliest(double arrival, int retentionDays)
    {
        if (retentionDays <= 0 || arrival < CeleryEventDecoder.MinTimestamp)
        {
            return CeleryEventDecoder.MinTimestamp;
        }

        var day = Storage.Partitions.DayPartition.DayOf(arrival);
        return Math.Max(CeleryEventDecoder.MinTimestamp, Storage.Partitions.PartitionWindow.ForDay(day, retentionDays).StartUnixSeconds);
    }
}

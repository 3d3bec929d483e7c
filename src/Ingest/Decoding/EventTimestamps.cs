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
    /// The event's timestamp if it was a number between <see cref="CeleryEventDecoder.MinTimestamp"/> and
    /// <paramref name="maxFutureSkew"/> past arrival; otherwise the arrival, with the repair counted.
    /// </summary>
    public static double Check(double? timestamp, bool wrongType, double arrival, TimeSpan maxFutureSkew, DecodedBody result)
    {
        if (timestamp is not { } ts || wrongType)
        {
            result.Note(Repair.TimestampMissing);
            return arrival;
        }

        if (double.IsNaN(ts) || ts < CeleryEventDecoder.MinTimestamp || ts > arrival + maxFutureSkew.TotalSeconds)
        {
            result.Note(Repair.TimestampOutOfRange);
            return arrival;
        }

        return ts;
    }
}

namespace Ingest.Diagnostics;

/// <summary>
/// How long Ingest took to answer its probes (<c>/healthz</c>, <c>/healthz/live</c>, <c>/healthz/ready</c>),
/// measured in the process from the first middleware to the end of the handler: the part of a probe's round
/// trip that Ingest's own code and locks decide (a client's round trip adds the network, Kestrel's parsing and
/// whatever else the machine's cores were doing). Fixed buckets, counted since start, so any two reads give
/// the distribution between them; memory is the bucket array whatever the rate.
/// </summary>
public sealed class ProbeLatency
{
    /// <summary>Upper bounds of the buckets, in milliseconds; a last bucket holds everything slower.</summary>
    public static readonly double[] BoundsMs = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 100, 1000];

    private readonly long[] _counts = new long[BoundsMs.Length + 1];
    private long _maxTicks;

    public void Record(TimeSpan elapsed)
    {
        var ms = elapsed.TotalMilliseconds;
        var i = 0;
        while (i < BoundsMs.Length && ms > BoundsMs[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        var ticks = elapsed.Ticks;
        var max = Volatile.Read(ref _maxTicks);
        while (ticks > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxTicks, ticks, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>Probes answered per bucket (same order as <see cref="BoundsMs"/>, then the overflow bucket).</summary>
    public long[] Counts()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Volatile.Read(ref _counts[i]);
        }

        return copy;
    }

    public TimeSpan Max => TimeSpan.FromTicks(Volatile.Read(ref _maxTicks));

    /// <summary>
    /// The bucket bound at or below which <paramref name="quantile"/> of <paramref name="counts"/> fall. Past the
    /// last bound the slowest probe seen, <paramref name="maxMs"/>, is the bound: still true, and a number JSON can
    /// carry (an infinity made the whole report, <c>/healthz</c> with it, fail with a 500 after one probe took over
    /// a second).
    /// </summary>
    public static double QuantileBoundMs(long[] counts, double quantile, double maxMs)
    {
        var total = counts.Sum();
        if (total == 0)
        {
            return 0;
        }

        var need = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= need)
            {
                return i < BoundsMs.Length ? BoundsMs[i] : Math.Max(maxMs, BoundsMs[^1]);
            }
        }

        return Math.Max(maxMs, BoundsMs[^1]);
    }
}

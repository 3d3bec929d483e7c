using System.Buffers.Binary;

namespace Ingest.Storage.Rollups;

/// <summary>
/// Runtimes counted in log-spaced buckets (each 5% wider than the last, from 0.1 ms to about 11 days), so
/// hours can be added together and percentiles read back within about 2.5% of the true value, without
/// keeping a single raw runtime. Stored as a sparse blob of (bucket, count) pairs; counts may be negative in
/// a delta (an invocation whose earlier version is taken back), never in a stored total.
/// </summary>
public sealed class RuntimeHistogram
{
    /// <summary>Runtimes at or below this (seconds) share bucket 0.</summary>
    public const double MinSeconds = 1e-4;

    /// <summary>Each bucket's upper bound over its lower bound.</summary>
    public const double Growth = 1.05;

    /// <summary>Enough buckets to reach past 10^6 s (11.6 days); longer runtimes share the last one.</summary>
    public const int BucketCount = 480;

    private const int PairBytes = 6;
    private static readonly double LogGrowth = Math.Log(Growth);

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public bool IsEmpty => Count == 0 && Array.TrueForAll(_counts, c => c == 0);

    public static int BucketOf(double seconds)
    {
        if (!(seconds > MinSeconds))
        {
            return 0; // also NaN and negatives: a clock skew cannot push a runtime out of range
        }

        // Clamped as a double before the cast: 1e308 / MinSeconds is +Infinity, and (int)Infinity + 1 wrapped to
        // int.MinValue, an IndexOutOfRangeException that failed whole batches (issue 12).
        var index = 1 + Math.Floor(Math.Log(seconds / MinSeconds) / LogGrowth);
        return (int)Math.Min(index, BucketCount - 1);
    }

    /// <summary>The value a bucket stands for: the geometric middle of its bounds.</summary>
    public static double ValueOf(int bucket) =>
        bucket == 0 ? MinSeconds : MinSeconds * Math.Pow(Growth, bucket - 0.5);

    public void Add(double seconds, long count = 1)
    {
        _counts[BucketOf(seconds)] += count;
        Count += count;
    }

    public void Add(RuntimeHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>Adds an encoded histogram (a stored hour or a delta). Malformed trailing bytes are ignored.</summary>
    public void Add(ReadOnlySpan<byte> encoded)
    {
        for (var at = 0; at + PairBytes <= encoded.Length; at += PairBytes)
        {
            var bucket = BinaryPrimitives.ReadUInt16LittleEndian(encoded[at..]);
            var count = BinaryPrimitives.ReadInt32LittleEndian(encoded[(at + 2)..]);
            if (bucket < BucketCount)
            {
                _counts[bucket] += count;
                Count += count;
            }
        }
    }

    /// <summary>
    /// The runtime at quantile <paramref name="q"/> (0-1): the value of the bucket holding the q-th runtime.
    /// Null when nothing was counted. Negative counts (never expected in a stored total) are read as zero.
    /// </summary>
    public double? Quantile(double q)
    {
        long total = 0;
        foreach (var c in _counts)
        {
            total += Math.Max(c, 0);
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(q, 0, 1) * total));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Math.Max(_counts[i], 0);
            if (seen >= rank)
            {
                return ValueOf(i);
            }
        }

        return ValueOf(BucketCount - 1);
    }

    /// <summary>
    /// Whether every runtime counted lies in one bucket (and at least one was): then their mean is a better figure for
    /// any quantile than the bucket's middle, and for a single run it is the exact runtime.
    /// </summary>
    public bool InOneBucket
    {
        get
        {
            var filled = 0;
            foreach (var c in _counts)
            {
                if (c < 0 || (c > 0 && ++filled > 1))
                {
                    return false;
                }
            }

            return filled == 1;
        }
    }

    /// <summary>
    /// Runtimes counted above <paramref name="seconds"/>: those in buckets past the one holding it (so within one
    /// bucket's 5% of the threshold a runtime counts as within it). What a latency objective's bad runs are.
    /// </summary>
    public long CountAbove(double seconds)
    {
        long above = 0;
        for (var i = BucketOf(seconds) + 1; i < BucketCount; i++)
        {
            above += Math.Max(_counts[i], 0);
        }

        return above;
    }

    public byte[] Encode()
    {
        var pairs = 0;
        foreach (var c in _counts)
        {
            if (c != 0)
            {
                pairs++;
            }
        }

        var bytes = new byte[pairs * PairBytes];
        var at = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            if (_counts[i] != 0)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)i);
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 2), (int)Math.Clamp(_counts[i], int.MinValue, int.MaxValue));
                at += PairBytes;
            }
        }

        return bytes;
    }

    /// <summary>Sum of two encoded histograms, encoded (the SQL function the rollup upsert calls).</summary>
    public static byte[] Merge(byte[]? stored, byte[]? delta)
    {
        // One scratch histogram per thread (the writer's): an upsert per rollup row no longer allocates 4 KB.
        var sum = t_scratch ??= new RuntimeHistogram();
        sum.Clear();
        sum.Add(stored);
        sum.Add(delta);
        return sum.Encode();
    }

    [ThreadStatic]
    private static RuntimeHistogram? t_scratch;

    public void Clear()
    {
        Array.Clear(_counts);
        Count = 0;
    }
}

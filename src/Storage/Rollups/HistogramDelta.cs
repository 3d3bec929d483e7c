using System.Buffers.Binary;

namespace Ingest.Storage.Rollups;

/// <summary>
/// A batch's change to one rollup row's histogram: the same buckets and encoding as <see cref="RuntimeHistogram"/>,
/// kept as the few (bucket, count) pairs one batch touches rather than all 480 buckets, so a batch with hundreds
/// of keys allocates a few hundred bytes per key, not four kilobytes.
/// </summary>
internal sealed class HistogramDelta
{
    private readonly List<(ushort Bucket, long Count)> _pairs = new(4);

    public void Add(double seconds, long count)
    {
        var bucket = (ushort)RuntimeHistogram.BucketOf(seconds);
        for (var i = 0; i < _pairs.Count; i++)
        {
            if (_pairs[i].Bucket == bucket)
            {
                _pairs[i] = (bucket, _pairs[i].Count + count);
                return;
            }
        }

        _pairs.Add((bucket, count));
    }

    /// <summary>The (bucket, count) pairs with a count other than zero, by bucket: what ClickHouse's histogram maps take.</summary>
    public IEnumerable<(ushort Bucket, long Count)> Pairs()
    {
        _pairs.Sort((a, b) => a.Bucket.CompareTo(b.Bucket));
        return _pairs.Where(p => p.Count != 0);
    }

    /// <summary>The pairs with a count other than zero, by bucket, in <see cref="RuntimeHistogram"/>'s encoding.</summary>
    public byte[] Encode()
    {
        _pairs.Sort((a, b) => a.Bucket.CompareTo(b.Bucket));
        var bytes = new byte[_pairs.Count(p => p.Count != 0) * 6];
        var at = 0;
        foreach (var (bucket, count) in _pairs)
        {
            if (count != 0)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), bucket);
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 2), (int)Math.Clamp(count, int.MinValue, int.MaxValue));
                at += 6;
            }
        }

        return bytes;
    }
}

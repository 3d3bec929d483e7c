using Ingest.Storage.Rollups;

namespace Ingest.Pipeline;

/// <summary>
/// Queue samples on their way to the flush loop, the only writer. Capped at <see cref="Capacity"/> samples; past
/// it the oldest go, counted (a writer stuck for many intervals costs old samples, never memory).
/// </summary>
public sealed class QueueSampleBuffer
{
    public const int Capacity = 10_000;

    private readonly Queue<QueueSample> _samples = new();
    private readonly Lock _lock = new();
    private long _dropped;
    private long _written;
    private long _failed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _samples.Count;
            }
        }
    }

    /// <summary>Samples lost: pushed out by newer ones while the buffer was full, or in a write that failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped) + Interlocked.Read(ref _failed);

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Raised after samples were added (the flush loop wakes to write them).</summary>
    public event Action? Added;

    public void Add(QueueSample sample) => AddRange([sample]);

    /// <summary>Adds one sampling's readings, then wakes the writer once.</summary>
    public void AddRange(IEnumerable<QueueSample> samples)
    {
        lock (_lock)
        {
            foreach (var sample in samples)
            {
                if (_samples.Count >= Capacity)
                {
                    _samples.Dequeue();
                    Interlocked.Increment(ref _dropped);
                }

                _samples.Enqueue(sample);
            }
        }

        Added?.Invoke();
    }

    /// <summary>Takes up to <paramref name="max"/> samples, oldest first.</summary>
    public List<QueueSample> Take(int max)
    {
        lock (_lock)
        {
            var taken = new List<QueueSample>(Math.Min(max, _samples.Count));
            while (taken.Count < max && _samples.TryDequeue(out var sample))
            {
                taken.Add(sample);
            }

            return taken;
        }
    }

    internal void MarkWritten(int count) => Interlocked.Add(ref _written, count);

    internal void MarkFailed(int count) => Interlocked.Add(ref _failed, count);
}

using System.Collections;

namespace Ingest.Storage;

/// <summary>
/// The distinct times of a task's task-retried events, ascending, compared by value: two records of the same
/// task merged from the same events are equal whatever order the events arrived in.
/// </summary>
public sealed class RetryTimes : IReadOnlyList<double>, IEquatable<RetryTimes>
{
    private readonly double[] _times;

    /// <param name="times">The times, in any order.</param>
    public RetryTimes(IEnumerable<double> times)
    {
        _times = [.. times.Order()];
    }

    public int Count => _times.Length;

    public double this[int index] => _times[index];

    public IEnumerator<double> GetEnumerator() => ((IEnumerable<double>)_times).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _times.GetEnumerator();

    public bool Equals(RetryTimes? other) => other is not null && _times.AsSpan().SequenceEqual(other._times);

    public override bool Equals(object? obj) => Equals(obj as RetryTimes);

    public override int GetHashCode() => _times.Length == 0 ? 0 : HashCode.Combine(_times.Length, _times[0], _times[^1]);
}

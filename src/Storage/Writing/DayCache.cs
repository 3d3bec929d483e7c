using System.Diagnostics.CodeAnalysis;

namespace Ingest.Storage.Writing;

/// <summary>
/// What the writer keeps per day (prepared statements, a day's rollup names), for a few days at most: when a new
/// day comes to a full cache, the oldest day's entry goes. An entry that goes is disposed if it is disposable, since
/// a prepared statement that reads a table keeps DROP TABLE from running.
/// </summary>
internal sealed class DayCache<T>
{
    private readonly Dictionary<DateOnly, T> _days = [];
    private readonly int _capacity;

    /// <param name="capacity">Days kept; adding one more lets the oldest go.</param>
    public DayCache(int capacity) => _capacity = capacity;

    /// <summary>The entry kept for <paramref name="day"/>, if any.</summary>
    public bool TryGet(DateOnly day, [MaybeNullWhen(false)] out T value) => _days.TryGetValue(day, out value);

    /// <summary>Keeps <paramref name="value"/> for a day not yet kept, letting the oldest day go if the cache is full. Returns the value.</summary>
    public T Add(DateOnly day, T value)
    {
        if (_days.Count >= _capacity && _days.Remove(_days.Keys.Min(), out var evicted))
        {
            (evicted as IDisposable)?.Dispose();
        }

        _days.Add(day, value);
        return value;
    }

    /// <summary>Lets a day's entry go (before the day is dropped, or after its creation was rolled back).</summary>
    public void Forget(DateOnly day)
    {
        if (_days.Remove(day, out var value))
        {
            (value as IDisposable)?.Dispose();
        }
    }

    /// <summary>Lets every day's entry go (the owner's Dispose calls this).</summary>
    public void Clear()
    {
        foreach (var value in _days.Values)
        {
            (value as IDisposable)?.Dispose();
        }

        _days.Clear();
    }
}

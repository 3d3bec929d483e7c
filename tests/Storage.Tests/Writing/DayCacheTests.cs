using Ingest.Storage.Writing;

namespace Ingest.Storage.Tests.Writing;

public sealed class DayCacheTests
{
    private static readonly DateOnly s_day = new(2026, 11, 20);

    [Fact]
    public void Add_FullCache_DisposesTheOldestDayOnly()
    {
        var cache = new DayCache<Disposable>(capacity: 2);
        var newer = cache.Add(s_day.AddDays(1), new Disposable());
        var oldest = cache.Add(s_day, new Disposable());

        var added = cache.Add(s_day.AddDays(2), new Disposable());

        Assert.True(oldest.Disposed);
        Assert.False(newer.Disposed);
        Assert.False(cache.TryGet(s_day, out _));
        Assert.True(cache.TryGet(s_day.AddDays(2), out var kept));
        Assert.Same(added, kept);
    }

    [Fact]
    public void Forget_KeptDay_DisposesItAndLeavesTheOthers()
    {
        var cache = new DayCache<Disposable>(capacity: 4);
        var forgotten = cache.Add(s_day, new Disposable());
        var other = cache.Add(s_day.AddDays(1), new Disposable());

        cache.Forget(s_day);
        cache.Forget(s_day.AddDays(5)); // not kept: nothing to do

        Assert.True(forgotten.Disposed);
        Assert.False(other.Disposed);
        Assert.False(cache.TryGet(s_day, out _));
    }

    [Fact]
    public void Clear_NullAndDisposableEntries_DisposesEveryDisposable()
    {
        var cache = new DayCache<Disposable?>(capacity: 4);
        var first = cache.Add(s_day, new Disposable())!;
        cache.Add(s_day.AddDays(1), null); // a day with nothing to prepare (no search index) is kept as null

        cache.Clear();

        Assert.True(first.Disposed);
        Assert.False(cache.TryGet(s_day.AddDays(1), out _));
    }

    private sealed class Disposable : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}

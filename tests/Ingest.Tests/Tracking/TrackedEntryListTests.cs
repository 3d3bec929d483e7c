using Ingest.Tracking;

namespace Ingest.Tests.Tracking;

/// <summary>The map's last-update order, linked through the entries (issue 29: no node object per task).</summary>
public class TrackedEntryListTests
{
    [Fact]
    public void RemoveFirstMiddleAndLast_KeepsTheOthersInOrder_Issue29()
    {
        var list = new TrackedEntryList();
        var entries = Enumerable.Range(0, 5).Select(i => new TrackedEntry(new TaskMerge($"t{i}"))).ToList();
        entries.ForEach(list.AddLast);

        list.Remove(entries[2]);
        list.Remove(entries[0]);
        list.Remove(entries[4]);
        list.AddLast(entries[2]); // touched: now the most recent

        Assert.Equal(["t1", "t3", "t2"], list.Select(e => e.TaskId));
        Assert.Equal(3, list.Count);
        Assert.Same(entries[1], list.First);
        Assert.Null(entries[0].List);
        Assert.Null(entries[4].Previous);
    }

    [Fact]
    public void AddOrRemove_EntryOfAnotherList_Throws_Issue29()
    {
        var active = new TrackedEntryList();
        var finished = new TrackedEntryList();
        var entry = new TrackedEntry(new TaskMerge("a"));
        active.AddLast(entry);

        Assert.Throws<InvalidOperationException>(() => finished.AddLast(entry));
        Assert.Throws<InvalidOperationException>(() => finished.Remove(entry));
        Assert.Equal(1, active.Count);
    }

    [Fact]
    public void Clear_LeavesEveryEntryInNoList_Issue29()
    {
        var list = new TrackedEntryList();
        var a = new TrackedEntry(new TaskMerge("a"));
        var b = new TrackedEntry(new TaskMerge("b"));
        list.AddLast(a);
        list.AddLast(b);

        list.Clear();

        Assert.Empty(list);
        Assert.Null(list.First);
        Assert.All(new[] { a, b }, e => Assert.True(e.List is null && e.Previous is null && e.Next is null));
    }
}

using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;

namespace Ingest.Storage.Tests.Writing;

public sealed class SearchBatchTests
{
    private static readonly DayPartition s_day = new(new DateOnly(2026, 11, 20));

    [Fact]
    public void Days_MergedOlderRowAfterNewOnes_ComeOutInRowidOrder_Issue29()
    {
        // FTS5 writes early (one segment per row) on a rowid lower than the last: the batch must sort what a merge added late.
        var batch = new SearchBatch();
        batch.Added(s_day, 10, "a", null, null);
        batch.Added(s_day, 11, "b", null, null);
        batch.Replaced(s_day, 3, "c", null, null);

        var (_, entries) = Assert.Single(batch.Days);
        Assert.Equal([3L, 10L, 11L], entries.Select(e => e.Id));
        Assert.True(entries[0].Entry.ReplacesIndexed, "a row indexed by an earlier batch is deleted before it is indexed again");
        Assert.False(entries[1].Entry.ReplacesIndexed);
    }

    [Fact]
    public void Replaced_RowAddedInTheSameBatch_TakesItsPlaceWithoutADelete_Issue29()
    {
        var batch = new SearchBatch();
        batch.Added(s_day, 10, "old", null, null);
        batch.Replaced(s_day, 10, "new", null, null);

        var (_, entries) = Assert.Single(batch.Days);
        var (id, entry) = Assert.Single(entries);
        Assert.Equal(10, id);
        Assert.Equal("new", entry.Args);
        Assert.False(entry.ReplacesIndexed, "nothing is indexed under the rowid yet");
    }

    [Fact]
    public void Clear_KeepsNoEntryForTheNextBatch_Issue29()
    {
        var batch = new SearchBatch();
        batch.Added(s_day, 10, "a", null, null);
        batch.Clear();
        batch.Replaced(s_day, 10, "b", null, null);

        var (_, entries) = Assert.Single(batch.Days);
        Assert.True(Assert.Single(entries).Entry.ReplacesIndexed, "a row added by a committed batch is indexed: replacing it deletes first");
    }
}

using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Support;

namespace Ingest.Storage.Tests.Reading;

/// <summary>
/// Value search (<see cref="InvocationQuery.Text"/>), the same on every store (issue 26): SQLite answers from its
/// full-text index, ClickHouse from its terms table and the stored text; the task ids must be the same.
/// </summary>
public abstract partial class InvocationStoreContract
{
    [Fact]
    public void List_TextOrderId_FindsEveryTaskThatHoldsItAsAWholeToken_Issue26()
    {
        WriteSearchable();

        Assert.Equal(["s1", "s2", "s4", "s5"], Ids(new InvocationQuery { Text = "12345" }));
    }

    [Fact]
    public void List_TextKeyEqualsValue_MatchesTheKeyAndValueSideBySideOnly_Issue26()
    {
        WriteSearchable();

        // s5 holds order, id and 12345, but not side by side: the terms alone would take it.
        Assert.Equal(["s1"], Ids(new InvocationQuery { Text = "order_id=12345" }));
    }

    [Fact]
    public void List_TextFromAnException_FindsTheFailure_Issue26()
    {
        WriteSearchable();

        Assert.Equal(["s4"], Ids(new InvocationQuery { Text = "invalid input" }));
        Assert.Equal(["s4"], Ids(new InvocationQuery { Text = "ValueError" }));
    }

    [Fact]
    public void List_TextPhrase_MatchesItsWordsInOrderOnly_Issue26()
    {
        WriteSearchable();

        Assert.Equal(["s6"], Ids(new InvocationQuery { Text = "card-declined" }));
        Assert.Empty(Ids(new InvocationQuery { Text = "declined-card" }));
    }

    [Fact]
    public void List_TextNoMatch_IsEmptyAndSaysNothingIsUnsearched_Issue26()
    {
        WriteSearchable();

        var page = Store.List(new InvocationQuery { Text = "12345 nosuchword" });

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
        Assert.Empty(page.Unsearched);
    }

    [Fact]
    public void List_TextPagedOneByOne_GivesEveryMatchOnceNewestFirst_Issue26()
    {
        WriteSearchable();
        var seen = new List<string>();
        PageCursor? after = null;
        do
        {
            var page = Store.List(new InvocationQuery { Text = "12345", Limit = 1, After = after });
            seen.AddRange(page.Items.Select(r => r.TaskId));
            after = page.NextCursor;
        }
        while (after is not null && seen.Count < 20);

        Assert.Equal(["s1", "s2", "s4", "s5"], seen);
    }

    [Fact]
    public void List_TextWithFilters_KeepsOnlyMatchesThatPassThem_Issue26()
    {
        WriteSearchable();

        Assert.Equal(["s1", "s2"], Ids(new InvocationQuery { Text = "12345", Since = Today - 25 }));
        Assert.Equal(["s4"], Ids(new InvocationQuery { Text = "12345", State = TaskStates.Failure }));
        Assert.Equal(["s5"], Ids(new InvocationQuery { Text = "12345", Until = Today - 45 }));
    }

    [Fact]
    public void List_TextLongTokenSharingALongPrefix_MatchesOnlyTheWholeToken_Issue26()
    {
        var prefix = new string('a', 200);
        Write(
            Records.Finished("l1", TaskStates.Success, Today, kwargs: $"{{'blob': '{prefix}b'}}"),
            Records.Finished("l2", TaskStates.Success, Today - 1, kwargs: $"{{'blob': '{prefix}c'}}"));

        Assert.Equal(["l2"], Ids(new InvocationQuery { Text = prefix + "c" }));
        Assert.Empty(Ids(new InvocationQuery { Text = prefix }));
    }

    [Theory]
    [InlineData("' OR 1=1 --")]
    [InlineData("\\' OR '1'='1")]
    [InlineData("x'); DROP TABLE terms; --")]
    [InlineData("'; DROP TABLE invocations")]
    [InlineData("\0nul\0byte\\")]
    [InlineData("50%_off")]
    [InlineData("caf\u00e9 \ud800lone\udc00 \U0001F600")]
    public void List_TextHostile_IsAValueNeverSql_Issue26(string hostile)
    {
        Write(
            Records.Finished("h1", TaskStates.Success, Today, kwargs: "{'note': 'plain'}"),
            Records.Finished("h2", TaskStates.Success, Today - 1, kwargs: $"{{'note': {hostile}}}"));

        Assert.Equal(["h2"], Ids(new InvocationQuery { Text = hostile }));
        Assert.Equal(2, Store.List(new InvocationQuery()).Items.Count);
    }

    [Theory]
    [InlineData("'; --")]
    [InlineData("   ")]
    public void List_TextWithNothingToSearchFor_IsRefused_Issue26(string text) =>
        Assert.Throws<ArgumentException>(() => Store.List(new InvocationQuery { Text = text }));

    /// <summary>Six tasks an hour apart or so: order ids in kwargs, args, an exception and a result.</summary>
    private void WriteSearchable()
    {
        Write(
            Records.Finished("s1", TaskStates.Success, Today - 10, kwargs: "{'order_id': 12345, 'n_items': 2}"),
            Records.Finished("s2", TaskStates.Success, Today - 20) with { Args = "(12345, 'x')" },
            Records.Finished("s3", TaskStates.Success, Today - 30, kwargs: "{'order_id': 123456}"));
        Write(
            Records.Finished("s4", TaskStates.Failure, Today - 40) with { Exception = "ValueError('boom: invalid input for order 12345')" },
            Records.Finished("s5", TaskStates.Success, Today - 50, kwargs: "{'order_id': 1, 'ref': 12345}"),
            Records.Finished("s6", TaskStates.Success, Today - 60) with { Result = "'card declined'" });
    }
}

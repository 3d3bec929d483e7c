using Ingest.Storage.Reading;
using Ingest.Tracking;
using static Ingest.Tests.Tracking.TaskMergeTests;

namespace Ingest.Tests.Tracking;

public class InFlightFilterTests
{
    private static TaskMerge Started(string id, string name, string args, string kwargs = "{}", double at = 100)
    {
        var merge = new TaskMerge(id);
        var sent = Event(Ingest.Accounting.CeleryEventType.TaskSent, at - 2, id: id, name: name, hostname: null);
        sent.Queue = "celery";
        merge.Apply(sent);
        var received = Event(Ingest.Accounting.CeleryEventType.TaskReceived, at - 1, id: id, name: name);
        received.Args = args;
        received.Kwargs = kwargs;
        merge.Apply(received);
        merge.Apply(Event(Ingest.Accounting.CeleryEventType.TaskStarted, at, id: id, hostname: "w1@host"));
        return merge;
    }

    [Theory]
    [InlineData("12345", true)]
    [InlineData("1234", false)] // whole tokens, as the index matches stored rows
    [InlineData("order_id=12345", true)] // a phrase: its tokens side by side
    [InlineData("ORDER_ID", true)]
    [InlineData("12345 acme", true)]
    [InlineData("12345 other", false)]
    public void Matches_ValueSearch_FindsInFlightRunsByArgsAndKwargs_Issue25(string text, bool found)
    {
        var merge = Started("a", "shop.tasks.import_orders", "(12345,)", "{'order_id': 12345, 'customer': 'acme'}");

        Assert.Equal(found, new InFlightFilter(new InvocationQuery { Text = text }).Matches(merge));
    }

    [Fact]
    public void Matches_NameContains_IsASubstringAnyCase_AndTheOtherFiltersExact_Issue25()
    {
        var merge = Started("a", "shop.tasks.import_orders", "()");

        Assert.True(new InFlightFilter(new InvocationQuery { NameContains = "IMPORT" }).Matches(merge));
        Assert.False(new InFlightFilter(new InvocationQuery { Name = "import" }).Matches(merge));
        Assert.True(new InFlightFilter(new InvocationQuery { State = "STARTED", Worker = "w1@host", Queue = "celery" }).Matches(merge));
        Assert.False(new InFlightFilter(new InvocationQuery { State = "RECEIVED" }).Matches(merge));
        Assert.False(new InFlightFilter(new InvocationQuery { Worker = "w2@host" }).Matches(merge));
    }

    [Fact]
    public void Matches_RangeAndCursor_OnTheStateTime()
    {
        var merge = Started("b", "n", "()", at: 100);

        Assert.True(new InFlightFilter(new InvocationQuery { Since = 100, Until = 101 }).Matches(merge));
        Assert.False(new InFlightFilter(new InvocationQuery { Until = 100 }).Matches(merge));
        Assert.True(new InFlightFilter(new InvocationQuery { After = new PageCursor(100, "c") }).Matches(merge));
        Assert.False(new InFlightFilter(new InvocationQuery { After = new PageCursor(100, "a") }).Matches(merge));
    }
}

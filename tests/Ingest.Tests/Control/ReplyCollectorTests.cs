using System.Text;
using Ingest.Control;

namespace Ingest.Tests.Control;

/// <summary>Reply collection (issue 27): tickets, completion, Missing and the caps.</summary>
public class ReplyCollectorTests
{
    [Fact]
    public void Offer_EveryNamedDestinationAnswered_CompletesWithNoneMissing_Issue27()
    {
        var collector = new ReplyCollector("t1", ["a@h", "b@h"], destinationsNamed: true, 10, 1 << 20);

        collector.Offer(Bytes("""{"a@h": {"ok": "pong"}}"""), "t1");
        Assert.False(collector.Completed.IsCompleted);
        collector.Offer(Bytes("""{"b@h": {"ok": "pong"}}"""), null);

        Assert.True(collector.Completed.IsCompletedSuccessfully);
        var result = collector.Result();
        Assert.Empty(result.Missing);
        Assert.Equal(["a@h", "b@h"], result.Replies.Select(r => r.Worker));
        Assert.Equal("pong", result.Replies[0].Body.GetProperty("ok").GetString());
    }

    [Fact]
    public void Offer_AnotherCommandsTicket_Ignored_Issue27()
    {
        var collector = new ReplyCollector("t1", ["a@h"], destinationsNamed: true, 10, 1 << 20);

        collector.Offer(Bytes("""{"a@h": {"ok": "pong"}}"""), "t2");

        Assert.False(collector.Completed.IsCompleted);
        Assert.Equal(["a@h"], collector.Result().Missing);
        Assert.Empty(collector.Result().Replies);
    }

    [Fact]
    public void Offer_Broadcast_NeverCompletesEarly_AndNamesTheSilentOnlineWorkers_Issue27()
    {
        var collector = new ReplyCollector("t1", ["b@h", "a@h", "c@h"], destinationsNamed: false, 10, 1 << 20);

        collector.Offer(Bytes("""{"a@h": {"ok": "pong"}}"""), "t1");
        collector.Offer(Bytes("""{"unknown@h": {"ok": "pong"}}"""), "t1");

        Assert.False(collector.Completed.IsCompleted);
        Assert.Equal(["b@h", "c@h"], collector.Result().Missing);
        Assert.Equal(2, collector.Result().Replies.Count);
    }

    [Fact]
    public void Offer_OverTheReplyCap_OldestDroppedAndCounted_TheirWorkersNotMissing_Issue27()
    {
        var collector = new ReplyCollector("t1", ["a@h", "b@h", "c@h"], destinationsNamed: true, maxReplies: 2, 1 << 20);

        collector.Offer(Bytes("""{"a@h": 1}"""), "t1");
        collector.Offer(Bytes("""{"b@h": 2}"""), "t1");
        collector.Offer(Bytes("""{"c@h": 3}"""), "t1");

        var result = collector.Result();
        Assert.Equal(["b@h", "c@h"], result.Replies.Select(r => r.Worker));
        Assert.Equal(1, result.Dropped);
        Assert.Empty(result.Missing);
        Assert.True(collector.Completed.IsCompleted);
    }

    [Fact]
    public void Offer_OverTheByteCap_OldestDroppedAndCounted_Issue27()
    {
        var big = new string('x', 600);
        var collector = new ReplyCollector("t1", [], destinationsNamed: false, 100, maxBytes: 1000);

        collector.Offer(Bytes($$"""{"a@h": "{{big}}"}"""), "t1");
        collector.Offer(Bytes($$"""{"b@h": "{{big}}"}"""), "t1");
        collector.Offer(Bytes($$"""{"c@h": "{{new string('y', 2000)}}"}"""), "t1");

        var result = collector.Result();
        Assert.Equal(["b@h"], result.Replies.Select(r => r.Worker));
        Assert.Equal(2, result.Dropped);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{}")]
    [InlineData("")]
    public void Offer_NotAHostnameObject_DroppedAndCounted_Issue27(string body)
    {
        var collector = new ReplyCollector("t1", ["a@h"], destinationsNamed: true, 10, 1 << 20);

        collector.Offer(Bytes(body), "t1");

        Assert.Equal(1, collector.Dropped);
        Assert.Equal(["a@h"], collector.Result().Missing);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}

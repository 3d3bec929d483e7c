using System.Text;
using Ingest.Accounting;
using Ingest.Decoding;
using Ingest.Tests.Support;

namespace Ingest.Tests.Decoding;

public class Utf8NameCacheTests
{
    /// <summary>Issue 29: a name repeated on every event is one string, not a new one per event.</summary>
    [Fact]
    public void Decode_RepeatedNames_ShareOneString_Issue29()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions(), Fixtures.Clock());
        var at = Fixtures.CaptureEnd.ToUnixTimeMilliseconds() / 1000.0;
        var body = Encoding.UTF8.GetBytes($$"""
            [{"type": "task-received", "uuid": "a", "root_id": "a", "name": "shop.charge", "hostname": "w1@h", "queue": "celery", "timestamp": {{at.ToString(System.Globalization.CultureInfo.InvariantCulture)}}},
             {"type": "task-received", "uuid": "b", "root_id": "a", "name": "shop.charge", "hostname": "w1@h", "queue": "celery", "timestamp": {{at.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}]
            """);

        var events = decoder.Decode(body).Events;
        var again = decoder.Decode(body).Events;

        Assert.Equal(2, events.Count);
        Assert.Same(events[0].Name, events[1].Name);
        Assert.Same(events[0].Name, again[0].Name);
        Assert.Same(events[0].Hostname, again[1].Hostname);
        Assert.Same(events[0].Queue, again[1].Queue);
        Assert.Same(events[0].Uuid, events[0].RootId);
        Assert.Equal("a", events[1].RootId);
    }

    /// <summary>A name with something to repair is read as before: cleaned and counted every time, never cached.</summary>
    [Fact]
    public void Decode_NameWithControlCharacters_IsCleanedAndCountedEachTime_Issue29()
    {
        var decoder = new CeleryEventDecoder(new DecoderOptions(), Fixtures.Clock());
        var at = Fixtures.CaptureEnd.ToUnixTimeMilliseconds() / 1000.0;
        var body = Encoding.UTF8.GetBytes($$"""{"type": "task-received", "uuid": "a", "name": "shop\u0000.charge", "hostname": "wé@h", "timestamp": {{at.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");

        for (var i = 0; i < 2; i++)
        {
            var decoded = decoder.Decode(body);
            Assert.Equal("shop.charge", decoded.Events[0].Name);
            Assert.Equal("wé@h", decoded.Events[0].Hostname);
            Assert.Equal(1, decoded.Repaired[(int)Repair.ControlCharacters]);
        }
    }

    /// <summary>The cache holds at most its cap: past it, each new name replaces an older one, counted.</summary>
    [Fact]
    public void Get_MoreNamesThanTheCap_EvictsAndCounts_Issue29()
    {
        var cache = new Utf8NameCache();
        const int Names = (Utf8NameCache.Sets * 2) + 500;
        for (var i = 0; i < Names; i++)
        {
            Assert.Equal($"task.{i}", cache.Get(Encoding.ASCII.GetBytes($"task.{i}")));
        }

        Assert.True(cache.Evictions >= 500, $"{cache.Evictions} evictions");
        var name = Encoding.ASCII.GetBytes("task.again");
        Assert.Same(cache.Get(name), cache.Get(name));
    }

    [Theory]
    [InlineData("shop.charge", true)]
    [InlineData("w\u00e9@h", false)]
    [InlineData("a\tb", false)]
    [InlineData("a\u007fb", false)]
    public void Fits_OnlyPrintableAscii(string name, bool fits) => Assert.Equal(fits, Utf8NameCache.Fits(Encoding.UTF8.GetBytes(name)));
}

using System.Text;
using Ingest.Control;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Diagnostics;

/// <summary>Issue 27: the worker replies a control command dropped (over its caps, or unreadable) are counted in /metrics.</summary>
public sealed class ControlMetricsTests
{
    [Fact]
    public async Task Metrics_CountTheRepliesAControlCommandDropped_Issue27()
    {
        // Two workers answer a ping: one with a reply no JSON parser reads, one over the cap of one kept reply.
        var fleet = new ScriptedFleet(new ControlOptions { MaxReplies = 1 }, [
            """{"celery@a": {"ok": "pong"}}""", "not json", """{"celery@b": {"ok": "pong"}}""", """{"celery@c": {"ok": "pong"}}"""]);
        await using var factory = new IngestFactory { TestServices = s => s.AddSingleton<IFleetControl>(fleet) };
        using var client = factory.CreateClient();

        var result = await factory.Services.GetRequiredService<IFleetControl>().SendAsync(
            new ControlRequest("ping", new Dictionary<string, object?>(), null, TimeSpan.FromSeconds(1)), CancellationToken.None);
        // Another host in this process starts and answers meanwhile: its instruments have the same names, and
        // neither its counts nor its disposal may change this host's scrape.
        string scrape;
        await using (var other = new IngestFactory())
        {
            using var otherClient = other.CreateClient();
            Assert.Matches(@"(?m)^ingest_control_replies_dropped(_reply)?_total(\{[^}]*\})? 0\b", await otherClient.GetStringAsync("/metrics"));
            scrape = await client.GetStringAsync("/metrics");
            Assert.Matches(@"(?m)^ingest_control_replies_dropped(_reply)?_total(\{[^}]*\})? 3\b", scrape);
        }

        scrape = await client.GetStringAsync("/metrics");

        Assert.Equal(3, result.Dropped);
        // The exporter may keep the unit annotation's name and add scope labels: the sample is what counts.
        Assert.Matches(@"(?m)^ingest_control_replies_dropped(_reply)?_total(\{[^}]*\})? 3\b", scrape);
    }

    /// <summary>A pidbox control with no broker: each command's replies are the scripted bodies, offered in order.</summary>
    private sealed class ScriptedFleet(ControlOptions options, IReadOnlyList<string> replies)
        : PidboxFleetControl(options, null, new FakeTimeProvider(), NullLogger.Instance)
    {
        protected override Task CastAsync(byte[] body, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;

        internal override Task CallAsync(byte[] body, string ticket, ReplyCollector collector, TimeSpan timeout, CancellationToken cancellationToken)
        {
            foreach (var reply in replies)
            {
                collector.Offer(Encoding.UTF8.GetBytes(reply), ticket);
            }

            return Task.CompletedTask;
        }
    }
}

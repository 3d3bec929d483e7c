using System.Globalization;
using System.Text;
using Ingest.Decoding;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Issue 29: the capped caches the producer and the readers keep (the decoder's names, the details dictionaries)
/// count what they let go, and /metrics shows it, so an operator sees a fleet outgrowing them.
/// </summary>
public sealed class CacheEvictionMetricsTests
{
    [Fact]
    public async Task Metrics_DecoderNameCacheOverflows_ExportsItsEvictions_Issue29()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var decoder = factory.Services.GetRequiredService<CeleryEventDecoder>();

        var before = await client.GetStringAsync("/metrics");
        Assert.Contains("0", Series(before, "ingest_decoder_names_evicted_total"));

        var now = TestClock.UnixSeconds.ToString("R", CultureInfo.InvariantCulture);
        // More distinct task names than the cache holds: the later ones replace the earlier.
        for (var i = 0; i < (Utf8NameCache.Sets * 2) + 300; i++)
        {
            var body = $$"""{"type": "task-received", "uuid": "id-{{i}}", "name": "fleet.tasks.t{{i}}", "hostname": "w1@h", "timestamp": {{now}}}""";
            decoder.Decode(Encoding.UTF8.GetBytes(body));
        }

        Assert.True(decoder.NameCacheEvictions > 0);
        // The exporter answers a scrape from its cache for a moment: scrape again until the new value shows.
        var expected = decoder.NameCacheEvictions.ToString(CultureInfo.InvariantCulture);
        await Wait.UntilAsync(
            async () => Series(await client.GetStringAsync("/metrics"), "ingest_decoder_names_evicted_total").Contains(expected),
            $"/metrics to show {expected} decoder name evictions");
    }

    [Fact]
    public async Task Metrics_DetailsReadCache_ExportsItsEvictionsBesideUnreadable_Issue29()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        var scrape = await client.GetStringAsync("/metrics");
        Assert.Contains("ingest_details_compression_total{outcome=\"read_cache_evicted\"} 0", scrape, StringComparison.Ordinal);
    }

    /// <summary>
    /// The values of <paramref name="name"/>'s samples in a scrape. Usually one; a unit test running beside this one
    /// that makes a meter of the production name adds its own sample to every host's scrape (see HostMeters).
    /// </summary>
    private static List<string> Series(string scrape, string name)
    {
        var values = scrape.Split('\n')
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf(' ') + 1)..])
            .ToList();
        Assert.True(values.Count > 0, $"no {name} in:\n{string.Join('\n', scrape.Split('\n').Where(l => l.Contains("decoder", StringComparison.Ordinal)))}");
        return values;
    }
}

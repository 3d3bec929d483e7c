using Ingest.Cli;
using Ingest.Storage.Details;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Hosting;

/// <summary>
/// Issue 29: the details' per-day dictionaries are on by default; turned off (<c>--no-compress-details</c>,
/// <c>Ingest:Storage:CompressDetails=false</c>), the channel and writer get no compression.
/// </summary>
public sealed class CompressDetailsOptionTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public async Task Host_CompressDetailsSetting_RegistersTheCompressionUnlessTurnedOff_Issue29(string? setting, bool registered)
    {
        await using var factory = setting is null ? new IngestFactory() : new IngestFactory().With("Ingest:Storage:CompressDetails", setting);
        using var client = factory.CreateClient();

        Assert.Equal(registered, factory.Services.GetService<DetailCompression>() is not null);
        // Days written with it on stay compressed after it is turned off: unreadable values are counted either way.
        var scrape = await client.GetStringAsync("/metrics");
        Assert.Contains("ingest_details_compression_total{outcome=\"unreadable\"} 0", scrape, StringComparison.Ordinal);
        if (registered)
        {
            // Only its presence: in the full suite another host's production-named meter can add its own series to
            // this scrape, so an absence would test the process, not this host (the registration is asserted above).
            Assert.Contains("ingest_details_compression_total{outcome=\"trained\"}", scrape, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Collect_NoCompressDetailsFlag_SetsTheSettingToFalseAndItsAbsenceLeavesTheDefault_Issue29()
    {
        var (db, pipeline, serveOnly) = IngestCli.Settings();
        SettingOption[] all = [db, .. pipeline, .. serveOnly];
        var command = new System.CommandLine.RootCommand();
        foreach (var s in all)
        {
            command.Add(s.Option);
        }

        var off = IngestCli.Collect(command.Parse(["--no-compress-details"]), all, "ingest");
        var unset = IngestCli.Collect(command.Parse([]), all, "ingest");

        Assert.Equal("false", off?["Ingest:Storage:CompressDetails"]);
        Assert.False(unset?.ContainsKey("Ingest:Storage:CompressDetails"));
    }
}

using Ingest.Storage.Details;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Hosting;

/// <summary>Issue 29: the details' per-day dictionaries are opt-in; off, the channel and writer get no compression.</summary>
public sealed class CompressDetailsOptionTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public async Task Host_CompressDetailsSetting_RegistersTheCompressionOnlyWhenOn_Issue29(string? setting, bool registered)
    {
        await using var factory = setting is null ? new IngestFactory() : new IngestFactory().With("Ingest:Storage:CompressDetails", setting);
        using var client = factory.CreateClient();

        Assert.Equal(registered, factory.Services.GetService<DetailCompression>() is not null);
    }
}

using Ingest.Pipeline;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>Rules that span fields, checked in one place.</summary>
internal sealed class PipelineOptionsRules : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options) =>
        options.BatchSize > options.ChannelCapacity
            ? ValidateOptionsResult.Fail($"Ingest:Pipeline:BatchSize ({options.BatchSize}) must not exceed Ingest:Pipeline:ChannelCapacity ({options.ChannelCapacity}).")
            : ValidateOptionsResult.Success;
}

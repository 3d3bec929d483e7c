using Ingest.Decoding;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Retention;
using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

[OptionsValidator]
internal sealed partial class DecoderOptionsValidator : IValidateOptions<DecoderOptions>;

[OptionsValidator]
internal sealed partial class TrackerOptionsValidator : IValidateOptions<TrackerOptions>;

[OptionsValidator]
internal sealed partial class WorkerOptionsValidator : IValidateOptions<WorkerOptions>;

[OptionsValidator]
internal sealed partial class RetentionOptionsValidator : IValidateOptions<RetentionOptions>;

[OptionsValidator]
internal sealed partial class PipelineOptionsRangeValidator : IValidateOptions<PipelineOptions>;

/// <summary>Rules that span fields, checked in one place.</summary>
internal sealed class PipelineOptionsRules : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options) =>
        options.BatchSize > options.ChannelCapacity
            ? ValidateOptionsResult.Fail($"Ingest:Pipeline:BatchSize ({options.BatchSize}) must not exceed Ingest:Pipeline:ChannelCapacity ({options.ChannelCapacity}).")
            : ValidateOptionsResult.Success;
}

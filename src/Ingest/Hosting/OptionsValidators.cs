using Ingest.Decoding;
using Ingest.Pipeline;
using Ingest.Sources.Amqp;
using Ingest.Storage;
using Ingest.Storage.Retention;
using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

[OptionsValidator]
internal sealed partial class RegressionOptionsValidator : IValidateOptions<Insights.RegressionOptions>;

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

[OptionsValidator]
internal sealed partial class AmqpOptionsValidator : IValidateOptions<AmqpOptions>;

internal sealed class AmqpOptionsRules : IValidateOptions<AmqpOptions>
{
    public ValidateOptionsResult Validate(string? name, AmqpOptions options)
    {
        if (options.Url is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps")))
        {
            return ValidateOptionsResult.Fail($"Ingest:Amqp:Url '{url}' is not an amqp:// or amqps:// URL.");
        }

        return options.AckEvery > options.Prefetch
            ? ValidateOptionsResult.Fail($"Ingest:Amqp:AckEvery ({options.AckEvery}) must not exceed Ingest:Amqp:Prefetch ({options.Prefetch}).")
            : ValidateOptionsResult.Success;
    }
}

internal sealed class RedisOptionsRules : IValidateOptions<Sources.Redis.RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, Sources.Redis.RedisOptions options) =>
        options.Url is { Length: > 0 } url && !Sources.Redis.RedisBrokerUrl.TryParse(url, out _, out var error)
            ? ValidateOptionsResult.Fail($"Ingest:Redis:Url: {error}")
            : ValidateOptionsResult.Success;
}

[OptionsValidator]
internal sealed partial class QueueSamplingOptionsRangeValidator : IValidateOptions<Sources.Queues.QueueSamplingOptions>;

/// <summary>The ranges, and an interval that is either off (0) or at least a second.</summary>
internal sealed class QueueSamplingOptionsValidator : IValidateOptions<Sources.Queues.QueueSamplingOptions>
{
    private readonly QueueSamplingOptionsRangeValidator _ranges = new();

    public ValidateOptionsResult Validate(string? name, Sources.Queues.QueueSamplingOptions options)
    {
        var ranges = _ranges.Validate(name, options);
        if (ranges.Failed)
        {
            return ranges;
        }

        return options.Interval > TimeSpan.Zero && options.Interval < TimeSpan.FromSeconds(1)
            ? ValidateOptionsResult.Fail($"Ingest:QueueSampling:Interval ({options.Interval}) must be 0 (off) or at least 1 s.")
            : ValidateOptionsResult.Success;
    }
}

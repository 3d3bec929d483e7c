using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

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

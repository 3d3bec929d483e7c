using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class QueueSamplingOptionsRangeValidator : IValidateOptions<Sources.Queues.QueueSamplingOptions>;

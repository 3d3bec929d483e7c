using Ingest.Pipeline;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class PipelineOptionsRangeValidator : IValidateOptions<PipelineOptions>;

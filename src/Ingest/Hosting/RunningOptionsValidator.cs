using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class RunningOptionsValidator : IValidateOptions<Insights.RunningOptions>;

using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class RegressionOptionsValidator : IValidateOptions<Insights.RegressionOptions>;

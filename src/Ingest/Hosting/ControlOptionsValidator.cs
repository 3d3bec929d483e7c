using Ingest.Control;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class ControlOptionsValidator : IValidateOptions<ControlOptions>;

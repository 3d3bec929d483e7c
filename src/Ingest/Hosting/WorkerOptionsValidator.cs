using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class WorkerOptionsValidator : IValidateOptions<WorkerOptions>;

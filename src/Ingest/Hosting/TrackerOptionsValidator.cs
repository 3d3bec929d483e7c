using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class TrackerOptionsValidator : IValidateOptions<TrackerOptions>;

using Ingest.Web;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class ReadAdmissionOptionsValidator : IValidateOptions<ReadAdmissionOptions>;

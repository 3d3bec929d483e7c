using Ingest.Decoding;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class DecoderOptionsValidator : IValidateOptions<DecoderOptions>;

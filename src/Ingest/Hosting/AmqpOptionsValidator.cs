using Ingest.Sources.Amqp;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class AmqpOptionsValidator : IValidateOptions<AmqpOptions>;

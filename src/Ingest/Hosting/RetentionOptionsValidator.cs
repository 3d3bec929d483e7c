using Ingest.Decoding;
using Ingest.Pipeline;
using Ingest.Sources.Amqp;
using Ingest.Storage;
using Ingest.Storage.Retention;
using Ingest.Tracking;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class RetentionOptionsValidator : IValidateOptions<RetentionOptions>;

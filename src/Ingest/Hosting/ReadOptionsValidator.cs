using Ingest.Storage.Reading;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

[OptionsValidator]
internal sealed partial class ReadOptionsValidator : IValidateOptions<ReadOptions>;

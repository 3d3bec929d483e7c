using Ingest.Sources.Amqp;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

internal sealed class AmqpOptionsRules : IValidateOptions<AmqpOptions>
{
    public ValidateOptionsResult Validate(string? name, AmqpOptions options)
    {
        if (options.Url is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps")))
        {
            return ValidateOptionsResult.Fail($"Ingest:Amqp:Url '{url}' is not an amqp:// or amqps:// URL.");
        }

        return options.AckEvery > options.Prefetch
            ? ValidateOptionsResult.Fail($"Ingest:Amqp:AckEvery ({options.AckEvery}) must not exceed Ingest:Amqp:Prefetch ({options.Prefetch}).")
            : ValidateOptionsResult.Success;
    }
}

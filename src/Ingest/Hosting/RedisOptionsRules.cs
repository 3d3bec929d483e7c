using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

internal sealed class RedisOptionsRules : IValidateOptions<Sources.Redis.RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, Sources.Redis.RedisOptions options) =>
        options.Url is { Length: > 0 } url && !Sources.Redis.RedisBrokerUrl.TryParse(url, out _, out var error)
            ? ValidateOptionsResult.Fail($"Ingest:Redis:Url: {error}")
            : ValidateOptionsResult.Success;
}

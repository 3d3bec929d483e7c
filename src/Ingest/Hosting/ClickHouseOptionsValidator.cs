using Ingest.Storage.ClickHouse;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>Checks the ClickHouse settings at start: a URL that parses, a password file that can be read, a plain cluster name.</summary>
internal sealed class ClickHouseOptionsValidator : IValidateOptions<ClickHouseOptions>
{
    public ValidateOptionsResult Validate(string? name, ClickHouseOptions options)
    {
        if (!options.Enabled)
        {
            return !string.IsNullOrWhiteSpace(options.Cluster) || !string.IsNullOrWhiteSpace(options.PasswordFile)
                ? ValidateOptionsResult.Fail($"{ClickHouseRegistration.Section}: --clickhouse-cluster and --clickhouse-password-file need --clickhouse URL")
                : ValidateOptionsResult.Success;
        }

        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(10))
        {
            return ValidateOptionsResult.Fail($"{ClickHouseRegistration.Section}:Timeout: {options.Timeout} is outside 1 s to 10 min");
        }

        try
        {
            options.Endpoint();
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{ClickHouseRegistration.Section}: {e.Message}");
        }
    }
}

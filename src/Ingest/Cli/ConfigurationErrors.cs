using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Ingest.Cli;

/// <summary>
/// Turns a configuration failure into lines an operator can act on: the setting's key, the flag that sets it and the
/// environment variable that does, then what is wrong. (Issue 12: <c>--batch-size 0</c> and
/// <c>Ingest__Pipeline__BatchSize=abc</c> ended in SIGABRT with a stack trace.)
/// </summary>
internal static partial class ConfigurationErrors
{
    /// <summary>Options types by their configuration section, to name the key a validation failure is about.</summary>
    private static readonly Dictionary<string, string> s_sections = new(StringComparer.Ordinal)
    {
        ["StorageOptions"] = "Ingest:Storage",
        ["DecoderOptions"] = "Ingest:Decoder",
        ["TrackerOptions"] = "Ingest:Tracker",
        ["WorkerOptions"] = "Ingest:Workers",
        ["PipelineOptions"] = "Ingest:Pipeline",
        ["RetentionOptions"] = "Ingest:Retention",
        ["RegressionOptions"] = "Ingest:Regression",
        ["RunningOptions"] = "Ingest:Running",
        ["AmqpOptions"] = "Ingest:Amqp",
        ["HealthOptions"] = "Ingest:Health",
    };

    /// <summary>Lines describing <paramref name="error"/>, or null if it is not a configuration failure.</summary>
    public static IReadOnlyList<string>? Describe(Exception error, IEnumerable<SettingOption> flags) =>
        Describe(error, flags.GroupBy(f => f.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Option.Name, StringComparer.OrdinalIgnoreCase));

    private static IReadOnlyList<string>? Describe(Exception error, Dictionary<string, string> byKey)
    {
        switch (error)
        {
            case Security.AuthConfigurationException a:
                return [a.Message];
            case OptionsValidationException v:
                var section = s_sections.GetValueOrDefault(v.OptionsType.Name);
                return [.. v.Failures.Select(f => Line(f, section, byKey))];
            case InvalidOperationException when BinderFailure().Match(error.Message) is { Success: true } m:
                var key = m.Groups["key"].Value;
                return [$"{Name(key, byKey)}: '{m.Groups["value"].Value}' is not a valid {Friendly(m.Groups["type"].Value)}"];
            default:
                return error.InnerException is { } inner ? Describe(inner, byKey) : null;
        }
    }

    private static string Line(string failure, string? section, Dictionary<string, string> byKey)
    {
        // Data-annotation failures read "Member: The field X.Member must be ..."; name the whole key.
        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        if (section is not null && colon > 0 && !failure[..colon].Contains(' ', StringComparison.Ordinal))
        {
            return $"{Name($"{section}:{failure[..colon]}", byKey)}: {failure[(colon + 2)..]}";
        }

        return failure;
    }

    /// <summary><c>Ingest:Pipeline:BatchSize (--batch-size, environment Ingest__Pipeline__BatchSize)</c>.</summary>
    public static string Name(string key, string? flag)
    {
        var env = key.Replace(":", "__", StringComparison.Ordinal);
        return flag is not null ? $"{key} ({flag}, environment {env})" : $"{key} (environment {env})";
    }

    private static string Name(string key, Dictionary<string, string> byKey) => Name(key, byKey.GetValueOrDefault(key));

    private static string Friendly(string type) => type switch
    {
        "System.Int32" or "System.Int64" => "whole number",
        "System.Double" => "number",
        "System.TimeSpan" => "duration (hh:mm:ss)",
        "System.Boolean" => "true or false",
        _ => type,
    };

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BinderFailure();
}

using System.CommandLine;
using System.Globalization;

namespace Ingest.Cli;

/// <summary>A named CLI option that sets one configuration key, so the CLI, environment variables and appsettings all meet in one place.</summary>
internal sealed class SettingOption
{
    private readonly Func<System.CommandLine.ParseResult, string?> _read;

    private SettingOption(Option option, string key, Func<System.CommandLine.ParseResult, string?> read)
    {
        Option = option;
        Key = key;
        _read = read;
    }

    public Option Option { get; }

    public string Key { get; }

    public static SettingOption Text(string name, string key, string description) =>
        Make(new Option<string>(name) { Description = description }, key, v => v);

    public static SettingOption Int(string name, string key, string description) =>
        Make(new Option<int?>(name) { Description = description }, key, v => v?.ToString(CultureInfo.InvariantCulture));

    public static SettingOption Long(string name, string key, string description) =>
        Make(new Option<long?>(name) { Description = description }, key, v => v?.ToString(CultureInfo.InvariantCulture));

    /// <summary>A switch: present sets the key to true.</summary>
    public static SettingOption Flag(string name, string key, string description) =>
        Make(new Option<bool>(name) { Description = description }, key, v => v ? "true" : null);

    /// <summary>A duration given in seconds on the command line, stored as a TimeSpan setting.</summary>
    public static SettingOption Seconds(string name, string key, string description) =>
        Make(new Option<double?>(name) { Description = description }, key,
            v => v is { } s ? TimeSpan.FromSeconds(s).ToString("c", CultureInfo.InvariantCulture) : null);

    /// <summary>A duration given in milliseconds on the command line.</summary>
    public static SettingOption Milliseconds(string name, string key, string description) =>
        Make(new Option<double?>(name) { Description = description }, key,
            v => v is { } ms ? TimeSpan.FromMilliseconds(ms).ToString("c", CultureInfo.InvariantCulture) : null);

    public void Collect(System.CommandLine.ParseResult result, IDictionary<string, string?> settings)
    {
        if (_read(result) is { } value)
        {
            settings[Key] = value;
        }
    }

    private static SettingOption Make<T>(Option<T> option, string key, Func<T?, string?> format) =>
        new(option, key, r => format(r.GetValue(option)));
}

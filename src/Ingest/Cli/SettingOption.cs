using System.CommandLine;
using System.Globalization;

namespace Ingest.Cli;

/// <summary>
/// A named CLI option that sets one configuration key, so the CLI, environment variables and appsettings all meet in
/// one place. Every option takes text and checks it here, so a bad value on the command line reads exactly as the
/// same bad value in the environment (issue 23: <c>--batch-size abc</c> printed the parser's
/// <c>System.Nullable`1[System.Int32]</c>), and nothing is written before the check.
/// </summary>
internal sealed class SettingOption
{
    private readonly Func<string, (string? Value, string? Problem)> _convert;

    /// <summary>Set for a switch, which takes no value.</summary>
    private readonly Option<bool>? _flag;

    /// <summary>What a switch sets its key to when present.</summary>
    private string _flagSetsTo = "true";

    private SettingOption(Option option, string key, Func<string, (string? Value, string? Problem)> convert, Option<bool>? flag = null)
    {
        Option = option;
        Key = key;
        _convert = convert;
        _flag = flag;
    }

    public Option Option { get; }

    public string Key { get; }

    public static SettingOption Text(string name, string key, string description) =>
        Make(name, key, description, "TEXT", v => (v, null));

    public static SettingOption Int(string name, string key, string description) =>
        Make(name, key, description, "N", v => int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? (v, null) : (null, $"'{v}' is not a valid whole number"));

    public static SettingOption Long(string name, string key, string description) =>
        Make(name, key, description, "N", v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? (v, null) : (null, $"'{v}' is not a valid whole number"));

    /// <summary>A switch: present sets the key to <paramref name="setsTo"/> (true, or false for a <c>--no-</c> switch of a default that is on).</summary>
    public static SettingOption Flag(string name, string key, string description, bool setsTo = true)
    {
        var option = new Option<bool>(name) { Description = description };
        return new SettingOption(option, key, v => (v, null), option) { _flagSetsTo = setsTo ? "true" : "false" };
    }

    /// <summary>A duration given in seconds on the command line, stored as a TimeSpan setting.</summary>
    public static SettingOption Seconds(string name, string key, string description) =>
        Make(name, key, description, "SECONDS", v => Duration(v, TimeSpan.FromSeconds, "number of seconds"));

    /// <summary>A duration given in milliseconds on the command line.</summary>
    public static SettingOption Milliseconds(string name, string key, string description) =>
        Make(name, key, description, "MS", v => Duration(v, TimeSpan.FromMilliseconds, "number of milliseconds"));

    /// <summary>Adds this option's value to <paramref name="settings"/>; returns the operator's line if the value is bad.</summary>
    public string? Collect(ParseResult result, IDictionary<string, string?> settings)
    {
        if (_flag is not null)
        {
            if (result.GetValue(_flag))
            {
                settings[Key] = _flagSetsTo;
            }

            return null;
        }

        if (result.GetValue((Option<string>)Option) is not { } text)
        {
            return null;
        }

        var (value, problem) = _convert(text.Trim());
        if (problem is not null)
        {
            return $"{ConfigurationErrors.Name(Key, Option.Name)}: {problem}";
        }

        settings[Key] = value;
        return null;
    }

    private static (string? Value, string? Problem) Duration(string text, Func<double, TimeSpan> unit, string what)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n))
        {
            return (null, $"'{text}' is not a valid {what}");
        }

        try
        {
            return (unit(n).ToString("c", CultureInfo.InvariantCulture), null);
        }
        catch (OverflowException)
        {
            return (null, $"'{text}' is out of range");
        }
    }

    private static SettingOption Make(string name, string key, string description, string helpName, Func<string, (string? Value, string? Problem)> convert) =>
        new(new Option<string>(name) { Description = description, HelpName = helpName }, key, convert);
}

namespace Ingest.Tests.Support;

/// <summary>One sample of a Prometheus instant query's answer: its labels (<c>__name__</c> included when kept) and value.</summary>
internal sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>A label's value, or empty when the series has none (as Prometheus reads a missing label).</summary>
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";

    public override string ToString() => "{" + string.Join(", ", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

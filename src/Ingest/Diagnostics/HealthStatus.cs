namespace Ingest.Diagnostics;

/// <summary>The one-word answer of <c>/healthz</c>, with the reasons behind it.</summary>
public sealed record HealthStatus(string Status, IReadOnlyList<string> Reasons)
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";
    public const string Failing = "failing";

    public bool IsFailing => Status == Failing;

    public bool IsOk => Status == Ok;
}

namespace Ingest.Diagnostics;

/// <summary>The one-word answer of <c>/healthz</c>, with the reasons behind it.</summary>
public sealed record HealthStatus(string Status, IReadOnlyList<string> Reasons)
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";
    public const string Failing = "failing";

    /// <summary>
    /// Nothing is wrong and nothing can arrive: no broker and no HTTP ingest. Not ok, since "ok" on an empty console
    /// reads as "no tasks ran"; not failing either, so the probes stay 200 (issue 25).
    /// </summary>
    public const string Idle = "idle";

    /// <summary>The reason an instance with no source gives.</summary>
    public const string NoSourceReason = "no source is configured: give --broker URL or --http-ingest";

    public bool IsFailing => Status == Failing;

    public bool IsOk => Status == Ok;
}

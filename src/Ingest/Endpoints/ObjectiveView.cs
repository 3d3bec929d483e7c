namespace Ingest.Endpoints;

/// <summary>One objective as the file states it: the window as a duration (<c>28d</c>), the latency as written (<c>p95 &lt;= 2s of runtime</c>).</summary>
public sealed record ObjectiveView(string Name, string Task, double? SuccessRate, string? Latency, string Window);

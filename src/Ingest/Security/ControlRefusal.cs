namespace Ingest.Security;

/// <summary>Why a control request was refused.</summary>
/// <param name="Status">401 or 403.</param>
/// <param name="Reason">The reason for the body; null for a 401, whose body the challenge writes.</param>
/// <param name="Outcome">The audit outcome (<see cref="Storage.Audit.AuditOutcomes"/>).</param>
public sealed record ControlRefusal(int Status, string? Reason, string Outcome);

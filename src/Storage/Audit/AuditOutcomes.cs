namespace Ingest.Storage.Audit;

/// <summary>How an audited control request ended: the <c>outcome</c> column, and the tag of <c>ingest.control.actions</c>.</summary>
public static class AuditOutcomes
{
    /// <summary>Sent, and every worker that answered said ok (or nothing was expected).</summary>
    public const string Done = "done";

    /// <summary>Sent, and a worker answered with an error, or none answered.</summary>
    public const string Failed = "failed";

    /// <summary>No credential (401).</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>A credential without the control role, a missing anti-forgery token, another site's request (403).</summary>
    public const string Refused = "refused";

    /// <summary>A parameter missing or malformed, an unknown worker (400, 404).</summary>
    public const string Invalid = "invalid";

    /// <summary>No broker to send through, or it could not be reached (503).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Every outcome, for filters and for the metric's series at zero.</summary>
    public static readonly string[] All = [Done, Failed, Unauthenticated, Refused, Invalid, Unavailable];
}

namespace Ingest.Endpoints.Flower;

/// <summary>
/// The Flower API's one setting of its own, bound from <c>Ingest:Control</c> (the section of the control transport's
/// options, where <c>--allow-shutdown</c> lands).
/// </summary>
public sealed class FlowerOptions
{
    /// <summary><c>--allow-shutdown</c>: <c>/flower/api/worker/shutdown</c> may stop workers (403 otherwise).</summary>
    public bool AllowShutdown { get; set; }
}

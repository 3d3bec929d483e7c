
namespace Ingest.Accounting;

/// <summary>A source (the AMQP consumer) that adds its state and complaints to the health report.</summary>
public interface IHealthContributor
{
    string Name { get; }

    /// <summary>Reasons to report degraded (empty when fine). Must read cached state only.</summary>
    IEnumerable<string> DegradedReasons();

    /// <summary>State for the report, from cached values only.</summary>
    object Describe();
}

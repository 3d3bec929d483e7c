using System.ComponentModel.DataAnnotations;

namespace Ingest.Insights;

/// <summary>When the Running page calls a run stuck (issue 25). Section <c>Ingest:Running</c>.</summary>
public sealed class RunningOptions
{
    /// <summary>
    /// A started run is stuck once it has run this many times its task's p99 runtime over the last
    /// <see cref="StuckBaselines.BaselineDays"/> days (<c>--stuck-factor</c>). Default 3; 1.01 to 1000.
    /// </summary>
    [Range(1.01, 1000)]
    public double StuckFactor { get; set; } = 3;
}

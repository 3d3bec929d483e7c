namespace Ingest.Insights;

/// <summary>A window's bounds (Unix seconds, on a minute or an hour) and its figures.</summary>
public sealed record Window(double From, double To, TaskFigures Figures)
{
    /// <summary>A series bucket cut short by the range's bounds, or not over yet: drawn as partial, not as a drop.</summary>
    public bool Partial { get; init; }
}

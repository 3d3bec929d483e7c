namespace Ingest.Insights;

/// <summary>A window's bounds (Unix seconds, hour-aligned) and its figures.</summary>
public sealed record Window(double From, double To, TaskFigures Figures);

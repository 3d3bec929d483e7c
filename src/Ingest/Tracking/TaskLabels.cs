namespace Ingest.Tracking;

/// <summary>What the tracker knows of a task after one of its events: its name, queue, send time, and whether it had an ETA.</summary>
public readonly record struct TaskLabels(string? Name, string? Queue, double? SentAt, bool HasEta);

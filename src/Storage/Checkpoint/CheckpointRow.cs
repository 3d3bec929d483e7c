namespace Ingest.Storage.Checkpoint;

/// <summary>One unfinished task's merge state, as JSON text.</summary>
public sealed record CheckpointRow(string TaskId, string State, double UpdatedAt);

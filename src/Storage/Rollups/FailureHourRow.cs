namespace Ingest.Storage.Rollups;

/// <summary>Failures of one task name and exception type in one hour.</summary>
public sealed record FailureHourRow(string Name, string ExceptionType, long Hour, long Count, double? FirstSeen, double? LastSeen, string? ExampleTaskId);

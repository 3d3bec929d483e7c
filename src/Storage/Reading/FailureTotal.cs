namespace Ingest.Storage.Reading;

/// <summary>One task's failures with one exception type over a range, added up from the failure rollup's hours.</summary>
/// <param name="ExampleTaskId">A task id of the newest hour that has one.</param>
public sealed record FailureTotal(string Name, string ExceptionType, long Count, double? FirstSeen, double? LastSeen, string? ExampleTaskId);

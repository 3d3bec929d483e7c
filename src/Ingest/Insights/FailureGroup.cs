using Ingest.Storage.Rollups;

namespace Ingest.Insights;

public sealed record FailureGroup(string Name, string ExceptionType, long Count, double? FirstSeen, double? LastSeen, string? ExampleTaskId);

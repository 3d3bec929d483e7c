namespace Ingest.Storage.Reading;

/// <summary>A task name, queue or worker group, and its runs over a range.</summary>
public sealed record RankedName(string Name, long Runs);

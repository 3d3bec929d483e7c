namespace Ingest.Storage.Maintenance;

/// <summary>One table's line in <c>db info</c>.</summary>
public sealed record TableInfo(string Name, long RowEstimate);

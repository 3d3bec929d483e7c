namespace Ingest.Storage.ClickHouse;

/// <summary>One table's day partition in <c>db info --clickhouse</c>: its active parts' rows and bytes on disk.</summary>
public sealed record ClickHousePartitionInfo(string Table, string Partition, long Rows, long Bytes);

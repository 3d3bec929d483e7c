namespace Ingest.Storage;

/// <summary>Another process holds the database's lock.</summary>
public sealed class DatabaseLockedException(string databasePath, string? owner)
    : IOException($"{databasePath} is in use by another Ingest process ({owner ?? "owner unknown"}): one process per database file. Stop it first, or use 'ingest db info', which only reads.")
{
    public string DatabasePath { get; } = databasePath;

    public string? Owner { get; } = owner;
}

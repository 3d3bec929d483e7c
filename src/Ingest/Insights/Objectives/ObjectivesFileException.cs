namespace Ingest.Insights.Objectives;

/// <summary>An objectives file that cannot be used: the message is one line naming the file, the entry and what is wrong.</summary>
public sealed class ObjectivesFileException(string message) : Exception(message);

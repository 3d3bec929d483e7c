namespace Ingest.Control;

/// <summary>The broker a command would go through is not configured or cannot be reached; the message says which.</summary>
public sealed class ControlUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

namespace Ingest.Security;

/// <summary>A setting that keeps Ingest from starting, in one line for the operator.</summary>
public sealed class AuthConfigurationException(string message) : Exception(message);

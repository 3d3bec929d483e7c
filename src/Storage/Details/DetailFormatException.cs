namespace Ingest.Storage.Details;

/// <summary>A stored details value that cannot be read back: an unknown format, a missing dictionary, a corrupt or oversized frame.</summary>
public sealed class DetailFormatException : Exception
{
    /// <summary>A value that cannot be read back, and why.</summary>
    public DetailFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

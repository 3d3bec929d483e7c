namespace Ingest.Sources.Amqp;

/// <summary>Where the AMQP source is, as <c>/healthz</c> reports it (lower case).</summary>
public enum AmqpState
{
    Starting,

    /// <summary>No connection yet: the broker was down at start, retried with backoff.</summary>
    Connecting,

    /// <summary>Consuming.</summary>
    Connected,

    /// <summary>The connection was lost; the client is recovering it.</summary>
    Reconnecting,

    /// <summary>
    /// Connected, but consuming nothing: the broker cancelled the consumer (its queue was deleted) or closed the
    /// channel. The queue is declared again and the consumer started again, with backoff.
    /// </summary>
    Resubscribing,

    Stopped,
}

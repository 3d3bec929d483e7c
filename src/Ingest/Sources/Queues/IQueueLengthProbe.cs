namespace Ingest.Sources.Queues;

/// <summary>A broker that can tell how many messages wait in a queue (RabbitMQ by passive declare, Redis by LLEN).</summary>
public interface IQueueLengthProbe
{
    /// <summary>The broker kind, for the API: <c>amqp</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>True while connected: a sample is not attempted otherwise (and the gap shows as missing points).</summary>
    bool CanMeasure { get; }

    /// <summary>Reads every queue named; throws on a broker or connection failure (the sampler counts it and tries again next time).</summary>
    Task<IReadOnlyList<QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);
}

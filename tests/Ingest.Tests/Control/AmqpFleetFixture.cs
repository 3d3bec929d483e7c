namespace Ingest.Tests.Control;

/// <summary>Two workers on the suite's RabbitMQ.</summary>
public sealed class AmqpFleetFixture() : FleetFixture(redis: false);

namespace Ingest.Tests.Control;

/// <summary>Celery's remote control over RabbitMQ against two real workers (issue 27).</summary>
public sealed class AmqpFleetControlTests(AmqpFleetFixture fleet) : FleetControlContract(fleet), IClassFixture<AmqpFleetFixture>;

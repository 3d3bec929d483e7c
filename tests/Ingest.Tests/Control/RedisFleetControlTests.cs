namespace Ingest.Tests.Control;

/// <summary>Celery's remote control over kombu's Redis transport against two real workers (issue 27).</summary>
public sealed class RedisFleetControlTests(RedisFleetFixture fleet) : FleetControlContract(fleet), IClassFixture<RedisFleetFixture>;

namespace Ingest.Tests.Control;

/// <summary>Two workers on the suite's Redis.</summary>
public sealed class RedisFleetFixture() : FleetFixture(redis: true);

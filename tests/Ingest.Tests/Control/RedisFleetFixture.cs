using Ingest.Control;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Control;

/// <summary>Two workers on the suite's Redis.</summary>
public sealed class RedisFleetFixture : FleetFixture
{
    protected override string BrokerUrl => RedisServer.Shared().Url;

    protected override IFleetControl CreateControl(ControlOptions options, WorkerRegistry registry) =>
        new RedisFleetControl(new Ingest.Sources.Redis.RedisOptions { Url = BrokerUrl }, options, registry, TimeProvider.System, NullLogger<RedisFleetControl>.Instance);
}

using Ingest.Control;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Control;

/// <summary>Two workers on the suite's RabbitMQ.</summary>
public sealed class AmqpFleetFixture : FleetFixture
{
    protected override string BrokerUrl => Broker.Shared().Url;

    protected override IFleetControl CreateControl(ControlOptions options, WorkerRegistry registry) =>
        new AmqpFleetControl(new Ingest.Sources.Amqp.AmqpOptions { Url = BrokerUrl }, options, registry, TimeProvider.System, NullLogger<AmqpFleetControl>.Instance);
}

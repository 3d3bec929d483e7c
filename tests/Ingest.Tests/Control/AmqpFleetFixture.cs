using Ingest.Control;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Control;

/// <summary>Two workers on the suite's RabbitMQ.</summary>
public sealed class AmqpFleetFixture() : FleetFixture(Broker.Shared().Url, (url, options, registry) =>
    new AmqpFleetControl(new Ingest.Sources.Amqp.AmqpOptions { Url = url }, options, registry, TimeProvider.System, NullLogger<AmqpFleetControl>.Instance));

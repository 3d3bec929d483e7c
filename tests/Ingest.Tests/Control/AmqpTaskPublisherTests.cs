using Ingest.Control;

namespace Ingest.Tests.Control;

/// <summary>Task messages published to RabbitMQ and run by a real worker (issue 27).</summary>
public sealed class AmqpTaskPublisherTests(AmqpFleetFixture fleet) : TaskPublisherContract(fleet), IClassFixture<AmqpFleetFixture>
{
    protected override ITaskPublisher Publisher(IFleetControl control) => new AmqpTaskPublisher((AmqpFleetControl)control, TimeProvider.System);
}

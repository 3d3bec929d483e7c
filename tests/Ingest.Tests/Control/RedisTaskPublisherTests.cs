using Ingest.Control;

namespace Ingest.Tests.Control;

/// <summary>Task messages published through kombu's Redis transport and run by a real worker (issue 27).</summary>
public sealed class RedisTaskPublisherTests(RedisFleetFixture fleet) : TaskPublisherContract(fleet), IClassFixture<RedisFleetFixture>
{
    protected override ITaskPublisher Publisher(IFleetControl control) => new RedisTaskPublisher((RedisFleetControl)control, string.Empty, TimeProvider.System);
}

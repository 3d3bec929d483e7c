using System.Collections.Concurrent;
using Ingest.Control;

namespace Ingest.Tests.Support;

/// <summary>A broker that records the task messages published to it.</summary>
public sealed class FakeTaskPublisher : ITaskPublisher
{
    public bool Available => true;

    /// <summary>Every message, in order.</summary>
    public ConcurrentQueue<TaskMessage> Published { get; } = new();

    public Task PublishAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        Published.Enqueue(message);
        return Task.CompletedTask;
    }
}

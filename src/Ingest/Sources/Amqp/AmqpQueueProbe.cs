using Ingest.Sources.Queues;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Ingest.Sources.Amqp;

/// <summary>
/// Queue lengths by passive declare, on the source's connection but on a channel of its own: a passive declare of
/// a queue the broker does not have closes its channel (404), which must never be the consuming one.
/// </summary>
public sealed class AmqpQueueProbe : IAsyncDisposable
{
    private readonly Func<IConnection?> _connection;
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private IChannel? _probeChannel;

    /// <summary>A probe on whatever connection <paramref name="connection"/> gives when asked (null: not connected).</summary>
    public AmqpQueueProbe(Func<IConnection?> connection)
    {
        _connection = connection;
    }

    /// <summary>
    /// Each queue's message and consumer counts by passive declare, as celery-exporter asks them. A queue the
    /// broker does not have reads as missing (its 404 closes the probe channel; the next queue gets a new one).
    /// </summary>
    public async Task<IReadOnlyList<QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var readings = new List<QueueReading>(queues.Count);
            foreach (var queue in queues)
            {
                if (_probeChannel is not { IsOpen: true })
                {
                    if (_probeChannel is not null)
                    {
                        await _probeChannel.DisposeAsync().ConfigureAwait(false);
                    }

                    var connection = _connection() ?? throw new InvalidOperationException("not connected");
                    _probeChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    var ok = await _probeChannel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                    readings.Add(new(queue, ok.MessageCount, (int)Math.Min(ok.ConsumerCount, int.MaxValue)));
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    readings.Add(new(queue, null, null));
                }
                catch (OperationInterruptedException)
                {
                    // Refused for this queue only (403: the user may not read it): no reading for it, the others go on.
                }
            }

            return readings;
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_probeChannel is not null)
        {
            await _probeChannel.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using RabbitMQ.Client;

namespace Ingest.Tests.Support;

/// <summary>
/// The suite's RabbitMQ (started by scripts/test) for a test class: checks it answers once, before the class's
/// tests run, and holds one connection for publishing. Each test still uses its own exchange and queue names.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private IConnection? _connection;

    public Broker Broker { get; private set; } = null!;

    /// <summary>A connection for publishing (tests open their own channels on it).</summary>
    public IConnection Connection => _connection ?? throw new InvalidOperationException("broker fixture not initialized");

    public async Task InitializeAsync()
    {
        Broker = Broker.Shared();
        _connection = await Wait.ForAsync(Broker.ConnectAsync(), $"a connection to the test broker at {Broker.Url}");
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            await _connection.DisposeAsync();
        }
    }
}

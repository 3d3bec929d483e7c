using Ingest.Accounting;
using Ingest.Control;
using Ingest.Sources.Amqp;
using Ingest.Sources.Redis;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Control;

/// <summary>
/// Two real workers on one test broker, in a control namespace of their own, and the control under test talking to
/// them: started once per test class (a worker takes seconds to start). The first consumes queue A with two pool
/// processes, the second queue B with one, so that each test can aim at one worker.
/// </summary>
/// <param name="redis">True for the suite's Redis, false for its RabbitMQ.</param>
public abstract class FleetFixture(bool redis) : IAsyncLifetime
{
    private readonly string _brokerUrl = redis ? RedisServer.Shared().Url : Broker.Shared().Url;

    private CeleryWorker? _first;
    private CeleryWorker? _second;

    /// <summary>The workers' namespace: commands on <c>{Namespace}.pidbox</c>.</summary>
    public string Namespace { get; } = "ingest-ctl-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The worker with two pool processes.</summary>
    internal CeleryWorker First => _first ?? throw new InvalidOperationException("fleet not started");

    /// <summary>The worker with one pool process.</summary>
    internal CeleryWorker Second => _second ?? throw new InvalidOperationException("fleet not started");

    /// <summary>The registry a broadcast takes its expected workers from (fed by the tests, on a fake clock).</summary>
    public WorkerRegistry Registry { get; } = new(new WorkerOptions(), new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));

    /// <summary>The control under test.</summary>
    public IFleetControl Control { get; private set; } = null!;

    /// <summary>The options the control was made with.</summary>
    public ControlOptions Options { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var suffix = Namespace[^8..];
        var first = CeleryWorker.StartAsync(_brokerUrl, "ctl-a-" + suffix, Namespace, "ctl.a." + suffix, concurrency: 2);
        var second = CeleryWorker.StartAsync(_brokerUrl, "ctl-b-" + suffix, Namespace, "ctl.b." + suffix, concurrency: 1);
        try
        {
            _first = await first;
        }
        finally
        {
            _second = await second;
        }

        Options = new ControlOptions { Namespace = Namespace };
        Control = redis
            ? new RedisFleetControl(new RedisOptions { Url = _brokerUrl }, Options, Registry, TimeProvider.System, NullLogger<RedisFleetControl>.Instance)
            : new AmqpFleetControl(new AmqpOptions { Url = _brokerUrl }, Options, Registry, TimeProvider.System, NullLogger<AmqpFleetControl>.Instance);
    }

    public async Task DisposeAsync()
    {
        if (Control is IAsyncDisposable d)
        {
            await d.DisposeAsync();
        }

        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        if (_second is not null)
        {
            await _second.DisposeAsync();
        }
    }

    /// <summary>Tells the registry that <paramref name="hostname"/> came online (a worker-online event).</summary>
    public void SeenOnline(string hostname) =>
        Registry.Apply(new CeleryEvent { Type = CeleryEventType.WorkerOnline, Hostname = hostname, Timestamp = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() });
}

using System.Net.Http.Json;
using System.Text;
using Ingest.Tests.Support;
using RabbitMQ.Client;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// What the celery-mixin tests share: the suite's RabbitMQ with a backlog queue (150 messages) and a queue one
/// consumer holds, a live <c>ingest serve</c> (child process) sampling both, a Prometheus scraping it every second as
/// job <see cref="PrometheusServer.DefaultJob"/>, and <see cref="MixinTraffic"/>'s rounds, each seen by Prometheus
/// before the next is posted. Stopped and deleted on dispose.
/// </summary>
public sealed class MixinEnvironment : IAsyncLifetime
{
    public const int Backlog = 150;

    private readonly TempDirectory _dir = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private IConnection? _connection;
    private IChannel? _channel;
    private IngestProcess? _ingest;
    private PrometheusServer? _prometheus;
    private readonly CancellationTokenSource _stop = new();
    private Task? _heartbeats;

    /// <summary>A queue holding <see cref="Backlog"/> messages: CeleryHighQueueLength's.</summary>
    public string BacklogQueue => "mixin.backlog." + _id;

    /// <summary>A queue one consumer holds: one worker, as RabbitMQ counts them.</summary>
    public string BusyQueue => "mixin.busy." + _id;

    internal PrometheusServer Prometheus => _prometheus ?? throw new InvalidOperationException("not started");

    internal IngestProcess Ingest => _ingest ?? throw new InvalidOperationException("not started");

    /// <summary>Prometheus' clock just before the first round was posted: where the dashboards' range starts.</summary>
    public DateTimeOffset TrafficStart { get; private set; }

    public async Task InitializeAsync()
    {
        var broker = Broker.Shared();
        _connection = await Wait.ForAsync(broker.ConnectAsync(), $"a connection to the test broker at {broker.Url}");
        _channel = await _connection.CreateChannelAsync();
        await _channel.QueueDeclareAsync(BacklogQueue, durable: false, exclusive: false, autoDelete: false);
        for (var i = 0; i < Backlog; i++)
        {
            await _channel.BasicPublishAsync("", BacklogQueue, Encoding.ASCII.GetBytes("{}"));
        }

        await _channel.QueueDeclareAsync(BusyQueue, durable: false, exclusive: false, autoDelete: false);
        await _channel.BasicConsumeAsync(BusyQueue, autoAck: false, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(_channel));

        // Its own exchange: events other tests publish to celeryev are not this Ingest's.
        _ingest = IngestProcess.Start(new Dictionary<string, string>
        {
            ["Ingest__Amqp__Url"] = broker.Url,
            ["Ingest__Amqp__Exchange"] = "celeryev.mixin." + _id,
            ["Ingest__Amqp__Queue"] = "ingest.mixin." + _id,
            ["Ingest__QueueSampling__Interval"] = "00:00:01",
            ["Ingest__QueueSampling__Queues"] = $"{BacklogQueue},{BusyQueue}",
        }, "serve", "--db", _dir.File("ingest.db"));
        await _ingest.WaitReadyAsync();
        _prometheus = await PrometheusServer.StartAsync(_dir, PrometheusServer.ScrapeConfig($"127.0.0.1:{_ingest.Port}"));
        await Prometheus.WaitForAsync($"up{{job=\"{PrometheusServer.DefaultJob}\"}} == 1", r => r.Count == 1, "Prometheus' first scrape of Ingest");
        TrafficStart = await Prometheus.NowAsync();
        for (var round = 0; round < MixinTraffic.Rounds; round++)
        {
            using var response = await Ingest.Client.PostAsync("/api/events", Fixtures.Json(Encoding.UTF8.GetBytes(MixinTraffic.Round(round))));
            var answer = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.True(response.IsSuccessStatusCode && answer.GetProperty("rejected").GetInt32() == 0, $"round {round}: {answer}");
            var expected = MixinTraffic.ReceivedThrough(round);
            await Prometheus.WaitForAsync("sum(celery_task_received_total)", r => r.Count == 1 && r[0].Value == expected, $"Prometheus to scrape round {round} ({expected} received)");
        }

        // The up worker goes on beating as a live one does (every freq = 2 s), or Ingest would call it lost.
        _heartbeats = BeatAsync(_stop.Token);

        await Prometheus.WaitForAsync($"celery_queue_length{{queue_name=\"{BacklogQueue}\"}}", r => r.Count == 1 && r[0].Value == Backlog, "the backlog queue's length to be scraped");
        await Prometheus.WaitForAsync($"celery_active_consumer_count{{queue_name=\"{BusyQueue}\"}}", r => r.Count == 1 && r[0].Value == 1, "the busy queue's consumer to be scraped");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_heartbeats is not null)
        {
            await _heartbeats;
        }

        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }

        if (_channel is not null)
        {
            await _channel.QueueDeleteAsync(BacklogQueue);
            await _channel.QueueDeleteAsync(BusyQueue);
            await _channel.CloseAsync();
            _channel.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync();
            await _connection.DisposeAsync();
        }

        _dir.Dispose();
        _stop.Dispose();
    }

    private async Task BeatAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                using var _ = await Ingest.Client.PostAsync("/api/events", Fixtures.Json(Encoding.UTF8.GetBytes(MixinTraffic.Heartbeat())), stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using System.Net.Http.Headers;
using System.Text;
using RabbitMQ.Client;

namespace Ingest.Spike;

/// <summary>Where the traffic goes: Ingest's HTTP endpoint, or the broker's celeryev exchange.</summary>
public interface ISender : IAsyncDisposable
{
    Task SendAsync(IReadOnlyList<(string RoutingKey, string Body)> bodies, CancellationToken cancellationToken);
}

/// <summary>POST /api/events. Bodies of one tick are merged into arrays of up to 64 events' worth to keep requests few.</summary>
public sealed class HttpSender(Uri target) : ISender
{
    private readonly HttpClient _http = new() { BaseAddress = target, Timeout = TimeSpan.FromSeconds(30) };

    public async Task SendAsync(IReadOnlyList<(string RoutingKey, string Body)> bodies, CancellationToken cancellationToken)
    {
        var posts = new List<Task>();
        foreach (var chunk in bodies.Chunk(16))
        {
            var json = "[" + string.Join(", ", chunk.Select(b => b.Body.StartsWith('[') ? b.Body[1..^1] : b.Body).Where(s => s.Length > 0)) + "]";
            var content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            posts.Add(PostAsync(content, cancellationToken));
            if (posts.Count >= 4)
            {
                await Task.WhenAll(posts);
                posts.Clear();
            }
        }

        await Task.WhenAll(posts);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Bodies Ingest answered 503 to (it could not take them without losing them) and that were sent again.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    private long _retried;

    private async Task PostAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using (content)
        {
            var body = await content.ReadAsByteArrayAsync(cancellationToken);
            while (true)
            {
                using var again = new ByteArrayContent(body);
                again.Headers.ContentType = content.Headers.ContentType;
                using var response = await _http.PostAsync(new Uri("/api/events", UriKind.Relative), again, cancellationToken);
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    // Backpressure, as a sender should honour it: wait as told (or a moment) and send the same body.
                    Interlocked.Increment(ref _retried);
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100);
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait, cancellationToken);
                    continue;
                }

                response.EnsureSuccessStatusCode();
                return;
            }
        }
    }
}

/// <summary>Publishes to celeryev with Celery's routing keys and properties (transient, JSON, utf-8).</summary>
public sealed class AmqpSender : ISender
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _exchange;

    private AmqpSender(IConnection connection, IChannel channel, string exchange)
    {
        _connection = connection;
        _channel = channel;
        _exchange = exchange;
    }

    public static async Task<AmqpSender> ConnectAsync(string url, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = "spike" }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        return new AmqpSender(connection, channel, exchange);
    }

    public async Task SendAsync(IReadOnlyList<(string RoutingKey, string Body)> bodies, CancellationToken cancellationToken)
    {
        var props = new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8", DeliveryMode = DeliveryModes.Transient };
        foreach (var (key, body) in bodies)
        {
            await _channel.BasicPublishAsync(_exchange, key, mandatory: false, props, Encoding.ASCII.GetBytes(body), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
    }
}

/// <summary>
/// Publishes as kombu's Redis transport does for Celery's fanout event exchange: PUBLISH to
/// <c>/{db}.celeryev/{routing_key}</c> of kombu's JSON envelope with the body in base64.
/// </summary>
public sealed class RedisSender : ISender
{
    private readonly StackExchange.Redis.ConnectionMultiplexer _redis;
    private readonly string _prefix;

    private RedisSender(StackExchange.Redis.ConnectionMultiplexer redis, string prefix)
    {
        _redis = redis;
        _prefix = prefix;
    }

    public static async Task<RedisSender> ConnectAsync(string url, string exchange)
    {
        // redis://[:password@]host[:port][/db], the form Celery takes.
        var uri = new Uri(url);
        var db = uri.AbsolutePath.Trim('/') is { Length: > 0 } path ? int.Parse(path, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var options = new StackExchange.Redis.ConfigurationOptions { ClientName = "spike" };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Split(':', 2) is [_, var password])
        {
            options.Password = Uri.UnescapeDataString(password);
        }

        var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options);
        return new RedisSender(redis, $"/{db}.{exchange}/");
    }

    public async Task SendAsync(IReadOnlyList<(string RoutingKey, string Body)> bodies, CancellationToken cancellationToken)
    {
        var subscriber = _redis.GetSubscriber();
        var sends = new List<Task>(bodies.Count);
        foreach (var (key, body) in bodies)
        {
            var envelope = "{\"body\": \"" + Convert.ToBase64String(Encoding.ASCII.GetBytes(body))
                + "\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": {}, \"properties\": {\"delivery_mode\": 1, "
                + "\"delivery_info\": {\"exchange\": \"celeryev\", \"routing_key\": \"" + key + "\"}, \"priority\": 0, \"body_encoding\": \"base64\", \"delivery_tag\": \""
                + Guid.NewGuid() + "\"}}";
            sends.Add(subscriber.PublishAsync(StackExchange.Redis.RedisChannel.Literal(_prefix + key), envelope));
        }

        await Task.WhenAll(sends);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();
}

using System.Text;
using System.Text.Json;
using Ingest.Sources.Redis;
using Ingest.Tracking;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ingest.Control;

/// <summary>
/// Celery's remote control over kombu's Redis transport, which emulates the exchanges: the fanout
/// <c>{namespace}.pidbox</c> is a PUBLISH on <c>/{db}.{namespace}.pidbox</c> (every worker's pidbox queue is a
/// pattern subscription), and the direct <c>reply.{namespace}.pidbox</c> is a set, <c>_kombu.binding.reply.{namespace}.pidbox</c>,
/// of <c>routing_key␆␖pattern␆␖queue</c> entries a worker looks up to LPUSH its reply onto the queue. So a command
/// adds an entry for its own list (routing key = the ticket), publishes, pops replies until done or the deadline,
/// and removes both. Replies are kombu envelopes: base64 body, <c>ticket</c> and <c>clock</c> headers.
/// </summary>
public sealed class RedisFleetControl : PidboxFleetControl
{
    // kombu's separator between the fields of a binding entry (redis.Channel.sep).
    private const string BindingSeparator = "\x06\x16";

    // How often the reply list is read: Redis has no blocking pop a multiplexed client may use.
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(10);

    private readonly RedisBrokerUrl _url;
    private readonly RedisOptions _redis;

    /// <summary>A control through the broker of <paramref name="redis"/>; throws <see cref="ArgumentException"/> for a URL kombu would not take.</summary>
    public RedisFleetControl(RedisOptions redis, ControlOptions options, WorkerRegistry? registry, TimeProvider time, ILogger<RedisFleetControl> logger)
        : base(options, registry, time, logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        if (!RedisBrokerUrl.TryParse(redis.Url ?? string.Empty, out var url, out var error))
        {
            throw new ArgumentException(error, nameof(redis));
        }

        _url = url!;
        // A command fails fast when Redis is down (the caller is a person waiting), and the next one connects again.
        _url.Options.AbortOnConnectFail = true;
        _url.Options.ConnectRetry = 1;
        _url.Options.ClientName = "ingest-control";
        _redis = redis;
    }

    /// <inheritdoc/>
    protected override async Task CastAsync(byte[] body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await GuardAsync(() => PublishAsync(db, body, timeout)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    internal override async Task CallAsync(byte[] body, string ticket, ReplyCollector collector, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var prefix = _redis.GlobalKeyPrefix;
        var queue = $"{ticket}.{Options.ReplyExchange}";
        RedisKey bindings = prefix + "_kombu.binding." + Options.ReplyExchange;
        RedisKey replies = prefix + queue;
        var entry = string.Join(BindingSeparator, ticket, string.Empty, queue);
        try
        {
            await GuardAsync(async () =>
            {
                await db.SetAddAsync(bindings, entry).ConfigureAwait(false);
                var started = Time.GetTimestamp();
                // Nobody subscribed: no worker is listening, so nothing can answer; the expected are all missing.
                if (await PublishAsync(db, body, timeout).ConfigureAwait(false) == 0)
                {
                    return 0;
                }

                while (!collector.Completed.IsCompleted)
                {
                    // One at a time: RPOP with a count needs Redis 6.2, and kombu runs on older ones.
                    var popped = 0;
                    for (var message = await db.ListRightPopAsync(replies).ConfigureAwait(false); !message.IsNull; message = await db.ListRightPopAsync(replies).ConfigureAwait(false))
                    {
                        OfferEnvelope(collector, message);
                        popped++;
                    }

                    var left = timeout - Time.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    if (popped == 0)
                    {
                        await Task.Delay(left < s_pollInterval ? left : s_pollInterval, Time, cancellationToken).ConfigureAwait(false);
                    }
                }

                return 0;
            }).ConfigureAwait(false);
        }
        finally
        {
            // Fire and forget: a late reply must find no binding (kombu then drops it) and leave no list behind.
            _ = db.SetRemoveAsync(bindings, entry, CommandFlags.FireAndForget);
            _ = db.KeyDeleteAsync(replies, CommandFlags.FireAndForget);
        }
    }

    private async Task<long> PublishAsync(IDatabase db, byte[] body, TimeSpan timeout)
    {
        var channel = RedisChannel.Literal(_url.FanoutTopic(_redis, Options.Exchange));
        return await db.PublishAsync(channel, Envelope(body, timeout)).ConfigureAwait(false);
    }

    // kombu's virtual-transport message: the JSON body base64-encoded, the labels AMQP would carry as properties.
    private byte[] Envelope(byte[] body, TimeSpan timeout)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("body", Convert.ToBase64String(body));
            w.WriteString("content-encoding", "utf-8");
            w.WriteString("content-type", "application/json");
            w.WriteStartObject("headers");
            w.WriteNumber("clock", Clock.Forward());
            w.WriteNumber("expires", PidboxMessage.Expires(Time, timeout));
            w.WriteEndObject();
            w.WriteStartObject("properties");
            w.WriteNumber("delivery_mode", 1);
            w.WriteNumber("priority", 0);
            w.WriteString("body_encoding", "base64");
            w.WriteString("delivery_tag", Guid.NewGuid().ToString());
            w.WriteStartObject("delivery_info");
            w.WriteString("exchange", Options.Exchange);
            w.WriteString("routing_key", string.Empty);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private void OfferEnvelope(ReplyCollector collector, RedisValue message)
    {
        byte[] body;
        string? ticket = null;
        try
        {
            using var doc = JsonDocument.Parse((byte[])message!);
            var root = doc.RootElement;
            if (root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                if (headers.TryGetProperty("clock", out var clock) && clock.TryGetInt64(out var value))
                {
                    Clock.Adjust(value);
                }

                ticket = headers.TryGetProperty("ticket", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }

            var text = root.GetProperty("body").GetString() ?? string.Empty;
            var base64 = root.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("body_encoding", out var encoding) && encoding.ValueKind == JsonValueKind.String && encoding.GetString() == "base64";
            body = base64 ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            body = [];
        }

        // An unreadable envelope goes to the collector as an empty body, which counts it dropped.
        collector.Offer(body, ticket);
    }

    /// <summary>The database on the shared multiplexer (the task publisher's too); made on first use.</summary>
    internal async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        // The multiplexer reconnects by itself once made: only a first connection that failed is made again.
        var connection = await ConnectionAsync(_ => GuardAsync(() => ConnectionMultiplexer.ConnectAsync(_url.Options)), _ => true, cancellationToken).ConfigureAwait(false);
        return connection.GetDatabase(_url.Database);
    }

    /// <summary>Runs <paramref name="action"/>, a Redis failure made <see cref="ControlUnavailableException"/>.</summary>
    internal async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or IOException)
        {
            throw Unreachable("Redis at " + _url.Display, e);
        }
    }
}

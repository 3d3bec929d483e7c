using System.ComponentModel.DataAnnotations;

namespace Ingest.Sources.Redis;

/// <summary>The Redis source (Celery on a Redis broker: events over PUB/SUB). Off unless <see cref="Url"/> is set.</summary>
public sealed class RedisOptions
{
    /// <summary>
    /// Broker URL as Celery takes it: <c>redis://[user:password@]host[:6379][/db]</c>, <c>rediss://</c> (TLS), or
    /// <c>redis+socket:///path/to.sock?virtual_host=db</c>. Default none: the Redis source is off.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>The exchange Celery publishes events to. Default <c>celeryev</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Exchange { get; set; } = "celeryev";

    /// <summary>
    /// Also subscribe to worker events (online, heartbeat, offline), so the Workers page fills on Redis as on RabbitMQ.
    /// Default true (issue 25: off, the Workers page was empty on Redis). A heartbeat is one small message per worker
    /// every 2 s; a subscriber Redis disconnects for a full <c>client-output-buffer-limit pubsub</c> is resubscribed
    /// with backoff and its time unsubscribed counted (<c>ingest.broker.unsubscribed</c>). False keeps to task events.
    /// </summary>
    public bool WorkerEvents { get; set; } = true;

    /// <summary>kombu's <c>global_keyprefix</c> transport option. Default empty.</summary>
    public string GlobalKeyPrefix { get; set; } = string.Empty;

    /// <summary>
    /// kombu's <c>fanout_prefix</c>: true (the default) gives <c>/{db}.</c>, false none, a string that string
    /// (<c>{db}</c> is replaced by the database number).
    /// </summary>
    public string FanoutPrefix { get; set; } = "true";

    /// <summary>kombu's <c>fanout_patterns</c>: the routing key is part of the channel name. Default true.</summary>
    public bool FanoutPatterns { get; set; } = true;
}

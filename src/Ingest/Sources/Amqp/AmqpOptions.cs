using System.ComponentModel.DataAnnotations;

namespace Ingest.Sources.Amqp;

/// <summary>The RabbitMQ source. Off unless <see cref="Url"/> is set.</summary>
public sealed class AmqpOptions
{
    /// <summary>Broker URL, <c>amqp://user:pass@host:5672/vhost</c>. Default none: the AMQP source is off.</summary>
    public string? Url { get; set; }

    /// <summary>The exchange Celery publishes events to. Default <c>celeryev</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Exchange { get; set; } = "celeryev";

    /// <summary>Binding keys, comma-separated. Default <c>#</c> (everything); <c>task.#</c> skips worker heartbeats.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Bindings { get; set; } = "#";

    /// <summary>
    /// This instance's queue. Default <c>ingest.{machine name}.{8 hex digits of the database path's hash}</c>: stable
    /// across restarts, and distinct for two databases on one host, which would otherwise share a queue and each
    /// get half of every task's events (issue 12: 1,001 of 1,001 tasks stored nameless).
    /// </summary>
    public string? Queue { get; set; }

    /// <summary>Messages older than this are discarded by the broker. Default 10 min, range 1 s to 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MessageTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most messages the queue holds; past it the broker drops the oldest (<c>x-overflow: drop-head</c>), so a
    /// stopped Ingest never fills the broker's memory. Default 1,000,000, range 1,000 to 100,000,000.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public int MaxQueueLength { get; set; } = 1_000_000;

    /// <summary>The broker deletes the queue after it has had no consumer for this long. Default 1 day, range 1 min to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan QueueExpires { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Unacknowledged messages in flight to Ingest. Default 2000, range 1 to 65535.</summary>
    [Range(1, 65_535)]
    public int Prefetch { get; set; } = 2000;

    /// <summary>Messages acknowledged at once (one multiple-ack). Default 200, range 1 to 65535; at most the prefetch.</summary>
    [Range(1, 65_535)]
    public int AckEvery { get; set; } = 200;

    /// <summary>Outstanding acknowledgements are sent at least this often. Default 250 ms, range 10 ms to 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan AckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between attempts to connect while the broker is down. Default 30 s, range 1 s to 10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The queue to consume: <see cref="Queue"/> if set, else the default for this machine and database file.</summary>
    public string QueueNameFor(string databasePath)
    {
        if (!string.IsNullOrWhiteSpace(Queue))
        {
            return Queue;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(databasePath)));
        return $"ingest.{Environment.MachineName.ToLowerInvariant()}.{Convert.ToHexStringLower(hash.AsSpan(0, 4))}";
    }

    public IReadOnlyList<string> BindingKeys => Bindings.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

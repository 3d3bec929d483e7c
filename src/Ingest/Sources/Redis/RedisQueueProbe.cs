using Ingest.Sources.Queues;
using StackExchange.Redis;

namespace Ingest.Sources.Redis;

/// <summary>Queue lengths on a Redis broker: kombu keeps each queue as lists, read with one pipelined batch of LLENs.</summary>
public sealed class RedisQueueProbe
{
    /// <summary>kombu's separator between a queue's name and its priority step in the list's key.</summary>
    private const string PrioritySeparator = "\u0006\u0016";

    /// <summary>kombu's default priority steps above 0 (0's list is the queue's name itself).</summary>
    private static readonly string[] s_prioritySteps = ["3", "6", "9"];

    private readonly Func<ConnectionMultiplexer?> _redis;
    private readonly int _database;
    private readonly string _globalKeyPrefix;

    /// <summary>A probe on whatever multiplexer <paramref name="redis"/> gives when asked (null: not connected).</summary>
    public RedisQueueProbe(Func<ConnectionMultiplexer?> redis, int database, string globalKeyPrefix)
    {
        _redis = redis;
        _database = database;
        _globalKeyPrefix = globalKeyPrefix;
    }

    /// <summary>
    /// Each queue's length: kombu keeps a queue as a list under its name (and one per priority step, name +
    /// <c>\x06\x16</c> + step, when tasks carry a priority), in the broker's database, under the global key
    /// prefix. One pipelined batch of LLENs; a queue with no list holds nothing (kombu deletes empty lists).
    /// </summary>
    public async Task<IReadOnlyList<QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var redis = _redis() ?? throw new InvalidOperationException("not connected");
        var database = redis.GetDatabase(_database);
        var batch = database.CreateBatch();
        var lengths = new Task<long>[queues.Count * (1 + s_prioritySteps.Length)];
        for (var i = 0; i < queues.Count; i++)
        {
            var key = _globalKeyPrefix + queues[i];
            lengths[i * 4] = batch.ListLengthAsync(key);
            for (var p = 0; p < s_prioritySteps.Length; p++)
            {
                lengths[(i * 4) + 1 + p] = batch.ListLengthAsync(key + PrioritySeparator + s_prioritySteps[p]);
            }
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(lengths).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            // A key of another type under a queue's name (WRONGTYPE): that queue has no reading, the others do.
        }

        var readings = new List<QueueReading>(queues.Count);
        for (var i = 0; i < queues.Count; i++)
        {
            var parts = lengths.AsSpan(i * 4, 4);
            var ok = true;
            long sum = 0;
            foreach (var part in parts)
            {
                ok &= part.IsCompletedSuccessfully;
                sum += part.IsCompletedSuccessfully ? part.Result : 0;
            }

            if (ok)
            {
                readings.Add(new(queues[i], sum, null));
            }
        }

        return readings;
    }
}

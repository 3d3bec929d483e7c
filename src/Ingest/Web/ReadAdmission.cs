using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;

namespace Ingest.Web;

/// <summary>
/// The gate heavy reads pass: at most <see cref="ReadAdmissionOptions.Concurrency"/> at once, a short queue behind
/// them, and a refusal (503 with Retry-After) past the queue or its timeout, counted by reason. Writes and probes
/// never pass it. Eight parallel reads of a high-cardinality day took the process to 10 GB while /healthz said ok
/// (issue 24): bounded pages bound one read, this bounds how many.
/// </summary>
public sealed class ReadAdmission : IDisposable
{
    /// <summary>Refused: the queue was full.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Refused: no slot came free within the queue timeout.</summary>
    public const string QueueTimeout = "queue_timeout";

    /// <summary>Refused: the read ran past its statement time limit.</summary>
    public const string TimeLimit = "time_limit";

    /// <summary>What a refused client is told to wait before asking again.</summary>
    public const int RetryAfterSeconds = 5;

    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeProvider _time;
    private long _queueFull;
    private long _queueTimeout;
    private long _timeLimit;

    public ReadAdmission(ReadAdmissionOptions options, TimeProvider time)
    {
        Options = options;
        _time = time;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Concurrency,
            QueueLimit = options.QueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public ReadAdmissionOptions Options { get; }

    /// <summary>
    /// A permit to run one heavy read, waited for in the queue up to <see cref="ReadAdmissionOptions.QueueTimeout"/>;
    /// or null and the reason it was refused. Throws <see cref="OperationCanceledException"/> when the client left.
    /// </summary>
    public async Task<(RateLimitLease? Permit, string? Refusal)> EnterAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.QueueTimeout, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var lease = await _limiter.AcquireAsync(1, wait.Token);
            if (lease.IsAcquired)
            {
                return (lease, null);
            }

            lease.Dispose();
            Interlocked.Increment(ref _queueFull);
            return (null, QueueFull);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _queueTimeout);
            return (null, QueueTimeout);
        }
    }

    /// <summary>Counts a read interrupted by its statement time limit.</summary>
    public void CountTimeLimit() => Interlocked.Increment(ref _timeLimit);

    /// <summary>Reads refused for <paramref name="reason"/> since start.</summary>
    public long Refused(string reason) => reason switch
    {
        QueueFull => Interlocked.Read(ref _queueFull),
        QueueTimeout => Interlocked.Read(ref _queueTimeout),
        TimeLimit => Interlocked.Read(ref _timeLimit),
        _ => 0,
    };

    /// <summary>The refusal in words, for the answer's <c>error</c>.</summary>
    public string Describe(string reason) => reason == QueueFull
        ? $"too many reads at once ({Options.Concurrency} running, {Options.QueueLength} waiting); try again in a few seconds"
        : $"no read slot came free within {Options.QueueTimeout.TotalSeconds:0.###} s ({Options.Concurrency} reads at once); try again in a few seconds";

    /// <summary>The refusals by reason, for <c>ingest.reads.rejected</c>.</summary>
    public IEnumerable<Measurement<long>> Refusals()
    {
        foreach (var reason in (string[])[QueueFull, QueueTimeout, TimeLimit])
        {
            yield return new(Refused(reason), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void Dispose() => _limiter.Dispose();
}

using Ingest.Accounting;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// While the last commit failed and nothing waits to be written, a tiny write of the loop's own (one meta row in
/// one transaction), on the retries' backoff, to learn that the store takes writes again. Issue 24: after a full
/// disk had room again, <c>/healthz/ready</c> stayed 503 ("18 failed commits in a row") for as long as nothing new
/// arrived, and behind a Service with HTTP-only ingest nothing could arrive to clear it. It runs on the loop's
/// thread between steps like every other write: the loop is the only writer.
/// </summary>
internal sealed class WriteProbeStep
{
    private readonly FlushLoopState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // The failure the probes so far followed, when the last probe ran, and how many ran since that failure.
    private long _failureSeen;
    private long _lastProbeTimestamp;
    private int _probes;

    public WriteProbeStep(FlushLoopState state, TimeProvider time, ILogger logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
    }

    /// <summary>Commits are failing and the backoff since the last failure, or the last probe, has passed.</summary>
    public bool Due
    {
        get
        {
            if (_state.ConsecutiveFailures == 0)
            {
                return false;
            }

            // A commit failed again since the last probe: the backoff starts over from that failure.
            var failedAt = _state.LastFailureTimestamp;
            if (failedAt != _failureSeen)
            {
                _failureSeen = failedAt;
                _probes = 0;
            }

            var since = _probes == 0 ? failedAt : _lastProbeTimestamp;
            return _time.GetElapsedTime(since) >= FlushFailurePolicy.ProbeDelay(_probes + 1);
        }
    }

    /// <summary>Probes once: a success ends the failures in a row (readiness returns), a failure waits for the next.</summary>
    public void Run(IBatchWriter writer)
    {
        _state.SetStatus(FlushLoopStatus.Retrying);
        _probes++;
        var failures = _state.ConsecutiveFailures;
        try
        {
            writer.ProbeWrite();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _lastProbeTimestamp = _time.GetTimestamp();
            _state.ProbeFailed();
            Log.WriteProbeFailed(_logger, _probes, e);
            return;
        }

        _lastProbeTimestamp = _time.GetTimestamp();
        _state.ProbeSucceeded();
        Log.WriteProbeSucceeded(_logger, failures, _probes);
    }
}

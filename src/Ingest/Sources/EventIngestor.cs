using Ingest.Accounting;
using Ingest.Decoding;
using Ingest.Tracking;
using Microsoft.Extensions.Logging;

namespace Ingest.Sources;

/// <summary>
/// The one path every source (HTTP, AMQP, replay) takes: decode the body, count what was rejected or repaired,
/// and hand task events to the tracker and worker events to the worker table. Thread-safe.
/// </summary>
public sealed class EventIngestor
{
    private readonly CeleryEventDecoder _decoder;
    private readonly TaskTracker _tracker;
    private readonly WorkerRegistry _workers;
    private readonly IngestCounters _counters;
    private readonly ILogger _logger;
    private readonly CeleryMetrics? _celery;
    private readonly Sources.Queues.QueueLengths? _queues;
    private readonly RejectLog _rejects;
    private readonly ObjectiveMetrics? _objectives;

    public EventIngestor(CeleryEventDecoder decoder, TaskTracker tracker, WorkerRegistry workers, IngestCounters counters, ILogger<EventIngestor> logger, CeleryMetrics? celery = null,
        Sources.Queues.QueueLengths? queues = null, TimeProvider? time = null, ObjectiveMetrics? objectives = null)
    {
        _objectives = objectives;
        _rejects = new RejectLog(logger, time ?? TimeProvider.System);
        _queues = queues;
        _celery = celery;
        _decoder = decoder;
        _tracker = tracker;
        _workers = workers;
        _counters = counters;
        _logger = logger;
    }

    /// <summary>Decodes and applies one message body. The body may be rented memory: nothing here keeps a reference to it.</summary>
    /// <param name="body">The message body.</param>
    /// <param name="source">Which source it came from, for the log.</param>
    /// <param name="shiftSeconds">Added to every event's timestamp after decoding (replay's <c>--shift-to-now</c>).</param>
    /// <param name="arrivalSeconds">When the body arrived, Unix seconds, before any shift (replay: its capture time); by default now.</param>
    /// <param name="content">What the transport says the body is (content type, charset, compression).</param>
    public DecodedBody Ingest(ReadOnlySpan<byte> body, string source, double shiftSeconds = 0, double? arrivalSeconds = null, BodyContent content = default)
    {
        var decoded = _decoder.Decode(body, arrivalSeconds, content);
        if (shiftSeconds != 0)
        {
            foreach (var e in decoded.Events)
            {
                e.Timestamp += shiftSeconds;
            }
        }

        _counters.AddMessage(decoded.WasBatch && decoded.Events.Count == 0 && decoded.RejectedTotal == 0, decoded.Rejected, decoded.Repaired);
        if (decoded.RejectedTotal > 0)
        {
            _rejects.Note(decoded, source, body);
        }

        if (decoded.MalformedError is not null)
        {
            Log.MalformedBody(_logger, source, decoded.MalformedError, decoded.Events.Count);
        }

        foreach (var e in decoded.Events)
        {
            _counters.AddAccepted(e.Type);
            if (e.Type.IsTaskEvent())
            {
                var task = _tracker.Apply(e);
                _celery?.Record(e, task);
                _objectives?.Record(e, task);
                if (e.Type is CeleryEventType.TaskReceived or CeleryEventType.TaskStarted)
                {
                    _workers.NoteTask(e.Hostname, task.Queue);
                }

                if (e.Type is CeleryEventType.TaskSent or CeleryEventType.TaskReceived)
                {
                    _queues?.Note(task.Queue);
                }
            }
            else
            {
                _workers.Apply(e);
            }
        }

        return decoded;
    }

    /// <summary>A body a source refused before decoding (over the size limit, not JSON, its envelope broken): counted and logged by reason.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="source">Which source refused it, for the log.</param>
    /// <param name="body">What was received of it, for the log's sample (may be empty).</param>
    /// <param name="why">What was wrong, escaped.</param>
    public void RejectBody(RejectReason reason, string source, ReadOnlySpan<byte> body, string why)
    {
        _counters.AddRejectedBody(reason);
        _rejects.Note(reason, 1, source, body, why);
    }
}

namespace Ingest.Accounting;

/// <summary>The Celery event types Ingest understands. Anything else is counted as <see cref="RejectReason.UnknownType"/>.</summary>
public enum CeleryEventType
{
    TaskSent,
    TaskReceived,
    TaskStarted,
    TaskSucceeded,
    TaskFailed,
    TaskRetried,
    TaskRevoked,
    TaskRejected,
    WorkerOnline,
    WorkerHeartbeat,
    WorkerOffline,
}

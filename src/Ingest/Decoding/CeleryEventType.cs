namespace Ingest.Decoding;

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

public static class CeleryEventTypes
{
    public const int Count = (int)CeleryEventType.WorkerOffline + 1;

    private static readonly string[] s_wireNames =
    [
        "task-sent", "task-received", "task-started", "task-succeeded", "task-failed", "task-retried", "task-revoked",
        "task-rejected", "worker-online", "worker-heartbeat", "worker-offline",
    ];

    public static string WireName(this CeleryEventType type) => s_wireNames[(int)type];

    public static bool IsTaskEvent(this CeleryEventType type) => type <= CeleryEventType.TaskRejected;

    /// <summary>Events after which an attempt is over: the invocation is written when one arrives.</summary>
    public static bool IsTerminal(this CeleryEventType type) =>
        type is CeleryEventType.TaskSucceeded or CeleryEventType.TaskFailed or CeleryEventType.TaskRetried
            or CeleryEventType.TaskRevoked or CeleryEventType.TaskRejected;

    public static bool TryParse(ReadOnlySpan<char> wireName, out CeleryEventType type)
    {
        for (var i = 0; i < s_wireNames.Length; i++)
        {
            if (wireName.SequenceEqual(s_wireNames[i]))
            {
                type = (CeleryEventType)i;
                return true;
            }
        }

        type = default;
        return false;
    }
}

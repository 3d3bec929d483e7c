namespace Ingest.Accounting;

/// <summary>Celery's wire names for each <see cref="CeleryEventType"/>, and what kind of event each is.</summary>
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

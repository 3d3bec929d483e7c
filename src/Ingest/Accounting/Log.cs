using Microsoft.Extensions.Logging;

namespace Ingest.Accounting;

/// <summary>Every log message Ingest writes, source-generated. Per batch and per state change; counters carry per-event truth.</summary>
internal static partial class Log
{
    // 1xxx: pipeline
    [LoggerMessage(1001, LogLevel.Critical, "The flush loop has died; nothing will be written until the process restarts.")]
    public static partial void FlushLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(1243, LogLevel.Warning, "The store is not answering (attempt {Attempt}); opening it again in {Delay}.")]
    public static partial void StoreUnreachable(ILogger logger, int attempt, TimeSpan delay, Exception error);

    [LoggerMessage(1002, LogLevel.Warning, "Commit of a batch of {Count} records failed (attempt {Attempt}); retrying in {Delay}.")]
    public static partial void BatchRetry(ILogger logger, int count, int attempt, TimeSpan delay, Exception error);

    [LoggerMessage(1003, LogLevel.Error, "Dropped a batch of {Count} records after {Attempts} failed commits.")]
    public static partial void BatchDropped(ILogger logger, int count, int attempts, Exception error);

    [LoggerMessage(1004, LogLevel.Warning, "A maintenance step failed; the flush loop carries on.")]
    public static partial void MaintenanceFailed(ILogger logger, Exception error);

    [LoggerMessage(1005, LogLevel.Information, "Shutdown drain: wrote {Unfinished} unfinished tasks with their last state; {Left} records could not be written in {Elapsed} (counted as dropped, reason shutdown).")]
    public static partial void Drained(ILogger logger, int unfinished, int left, TimeSpan elapsed);

    [LoggerMessage(1006, LogLevel.Error, "Set aside task {TaskId}: it fails to be written on its own, for a reason that is not the disk's; the rest of its batch was written. Counted as write_failed.")]
    public static partial void RecordSetAside(ILogger logger, string taskId, Exception error);

    [LoggerMessage(1007, LogLevel.Warning, "The host stopped waiting before the flush loop drained (something else was slow to stop); the drain still runs, for up to {Budget}.")]
    public static partial void DrainAfterHostTimeout(ILogger logger, TimeSpan budget);

    [LoggerMessage(1008, LogLevel.Error, "The shutdown drain did not finish within {Waited}; the process ends with {Unwritten} records unwritten.")]
    public static partial void DrainCutShort(ILogger logger, TimeSpan waited, int unwritten);

    [LoggerMessage(1009, LogLevel.Information, "Restored {Restored} unfinished tasks from the in-flight checkpoint ({Rows} rows).")]
    public static partial void CheckpointRestored(ILogger logger, int restored, int rows);

    [LoggerMessage(1010, LogLevel.Error, "The in-flight checkpoint could not be read; tasks that were in flight restart without their earlier events.")]
    public static partial void CheckpointRestoreFailed(ILogger logger, Exception error);

    [LoggerMessage(1241, LogLevel.Error, "The shutdown drain could not record that {Left} records were dropped; the next start will not report them.")]
    public static partial void ShutdownDropsNotRecorded(ILogger logger, int left, Exception error);

    [LoggerMessage(1242, LogLevel.Warning, "The last shutdown dropped {Count} records it could not write in its drain budget (counted then as dropped, reason shutdown).")]
    public static partial void DroppedAtLastShutdown(ILogger logger, long count);

    [LoggerMessage(1011, LogLevel.Warning, "Writing the in-flight checkpoint failed; it is retried with the next one.")]
    public static partial void CheckpointFailed(ILogger logger, Exception error);

    [LoggerMessage(1013, LogLevel.Debug, "Write probe {Probe} failed: the database still refuses writes.")]
    public static partial void WriteProbeFailed(ILogger logger, int probe, Exception error);

    [LoggerMessage(1014, LogLevel.Information, "The database takes writes again: write probe {Probe} succeeded after {Failures} failed commits.")]
    public static partial void WriteProbeSucceeded(ILogger logger, int failures, int probe);

    // 2xxx: sources
    [LoggerMessage(2001, LogLevel.Debug, "A message from {Source} was not valid JSON ({Error}); {Kept} events decoded before the error were kept.")]
    public static partial void MalformedBody(ILogger logger, string source, string error, int kept);

    [LoggerMessage(2002, LogLevel.Information, "Consuming queue {Queue} bound to exchange {Exchange} with {Bindings}.")]
    public static partial void AmqpConnected(ILogger logger, string queue, string exchange, string bindings);

    [LoggerMessage(2003, LogLevel.Warning, "Cannot reach the broker for {Exchange}; retrying in {Delay}. HTTP ingest, reads and /healthz carry on.")]
    public static partial void AmqpConnectFailed(ILogger logger, string exchange, TimeSpan delay, Exception error);

    [LoggerMessage(2004, LogLevel.Warning, "Broker connection lost ({Reason}); the client is recovering it.")]
    public static partial void AmqpConnectionLost(ILogger logger, string reason);

    [LoggerMessage(2005, LogLevel.Information, "Broker connection recovered.")]
    public static partial void AmqpRecovered(ILogger logger);

    [LoggerMessage(2006, LogLevel.Debug, "Closing the broker connection failed.")]
    public static partial void AmqpCloseFailed(ILogger logger, Exception error);

    [LoggerMessage(2007, LogLevel.Warning, "The AMQP source stopped consuming: {Reason}. Declaring the queue and consuming again.")]
    public static partial void AmqpSubscriptionLost(ILogger logger, string reason);

    [LoggerMessage(2008, LogLevel.Warning, "Consuming again failed; retrying in {Delay}.")]
    public static partial void AmqpResubscribeFailed(ILogger logger, TimeSpan delay, Exception error);

    [LoggerMessage(2009, LogLevel.Information, "Subscribed to {Broker} on pattern {Pattern}.")]
    public static partial void RedisSubscribed(ILogger logger, string broker, string pattern);

    [LoggerMessage(2010, LogLevel.Warning, "Lost the Redis subscription ({Failure}); events published until it is back are not seen. Reconnecting.")]
    public static partial void RedisDisconnected(ILogger logger, string failure, Exception? error);

    [LoggerMessage(2011, LogLevel.Information, "Redis subscription restored on pattern {Pattern}.")]
    public static partial void RedisReconnected(ILogger logger, string pattern);

    [LoggerMessage(2012, LogLevel.Warning, "Cannot reach Redis at {Broker}; the client keeps trying. HTTP ingest, reads and /healthz carry on.")]
    public static partial void RedisConnectFailed(ILogger logger, string broker, Exception error);

    [LoggerMessage(2013, LogLevel.Debug, "Closing the Redis connection failed.")]
    public static partial void RedisCloseFailed(ILogger logger, Exception error);

    [LoggerMessage(2015, LogLevel.Warning, "Rejected {Count} as {Reason} since the last line for it (at most one a minute); the latest from {Source}: {Why}. Its first bytes: {Sample}")]
    public static partial void Rejected(ILogger logger, long count, string reason, string source, string why, string sample);

    // 3xxx: storage
    [LoggerMessage(3001, LogLevel.Information, "Storage maintenance: {Action}.")]
    public static partial void StorageAction(ILogger logger, string action);

    [LoggerMessage(3002, LogLevel.Warning, "{Path} had pre-partition tables: renamed to invocations_legacy and invocation_details_legacy (metadata only). They are read with the day partitions and dropped whole once past retention.")]
    public static partial void LegacyRenamed(ILogger logger, string path);

    [LoggerMessage(3003, LogLevel.Warning, "{Path} has both invocations and invocations_legacy; left both alone. Only invocations_legacy is read.")]
    public static partial void LegacyConflict(ILogger logger, string path);

    [LoggerMessage(3004, LogLevel.Warning, "The database's auto_vacuum is {Mode}: dropped days free pages for reuse but the file will not shrink. Run 'ingest db compact' offline to switch it to incremental.")]
    public static partial void NoIncrementalVacuum(ILogger logger, string mode);

    [LoggerMessage(1012, LogLevel.Warning, "Could not store {Count} broker queue samples (lost, counted): the invocations go on.")]
    public static partial void QueueSamplesFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(2014, LogLevel.Warning, "Sampling queue lengths from {Broker} failed: {Error}")]
    public static partial void QueueSampleFailed(ILogger logger, string broker, string error);
}

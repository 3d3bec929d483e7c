namespace Ingest.Decoding;

/// <summary>The fields of a Celery event the decoder reads; any other property is skipped.</summary>
internal enum EventField
{
    Type, Uuid, Hostname, Timestamp, Pid, Clock, UtcOffset, Name, Args, Kwargs, Result, Exception, Traceback,
    RootId, ParentId, Queue, RoutingKey, Exchange, Eta, Expires, Retries, Runtime, Terminated, Expired, Signum,
    Requeue, Freq, Active, Processed, LoadAverage, SwIdent, SwVer, SwSys,
}

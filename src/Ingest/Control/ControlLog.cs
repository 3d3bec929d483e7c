using Microsoft.Extensions.Logging;

namespace Ingest.Control;

/// <summary>The remote control's log lines (event ids 2700-2799, issue 27).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(2701, LogLevel.Warning, "A control command could not go through {Broker}.")]
    public static partial void BrokerFailed(ILogger logger, string broker, Exception error);
}

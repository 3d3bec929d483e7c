using System.Globalization;
using System.Text.RegularExpressions;
using Ingest.Storage.Writing;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Reads ClickHouse's error answers and sorts them into faults of the store (retry the batch later) and faults of
/// the request (a value the server refuses, a query it cannot run: the same request fails again however often).
/// </summary>
/// <remarks>
/// The codes are ClickHouse's own (src/Common/ErrorCodes.cpp), stable since long before 18.16. 18.16 answers almost
/// every error with HTTP 500, so the status tells nothing: a code not listed here counts as the request's, so a bad
/// record is split out of its batch instead of holding every later batch back (issue 12's lesson, for this store);
/// an answer without a code (no ClickHouse answered) as the store's.
/// </remarks>
public static partial class ClickHouseErrors
{
    /// <summary>TIMEOUT_EXCEEDED.</summary>
    public const int TimeoutExceeded = 159;

    /// <summary>TOO_MANY_SIMULTANEOUS_QUERIES.</summary>
    public const int TooManySimultaneousQueries = 202;

    /// <summary>SOCKET_TIMEOUT.</summary>
    public const int SocketTimeout = 209;

    /// <summary>NETWORK_ERROR.</summary>
    public const int NetworkError = 210;

    /// <summary>NO_ZOOKEEPER.</summary>
    public const int NoZooKeeper = 225;

    /// <summary>MEMORY_LIMIT_EXCEEDED.</summary>
    public const int MemoryLimitExceeded = 241;

    /// <summary>TABLE_IS_READ_ONLY: a replica lost its ZooKeeper session.</summary>
    public const int TableIsReadOnly = 242;

    /// <summary>NOT_ENOUGH_SPACE.</summary>
    public const int NotEnoughSpace = 243;

    /// <summary>TOO_MANY_PARTS: inserts outran merges; they succeed again once merges catch up.</summary>
    public const int TooManyParts = 252;

    /// <summary>READONLY: the user may not write.</summary>
    public const int ReadOnly = 164;

    /// <summary>UNKNOWN_USER.</summary>
    public const int UnknownUser = 192;

    /// <summary>WRONG_PASSWORD.</summary>
    public const int WrongPassword = 193;

    /// <summary>REQUIRED_PASSWORD.</summary>
    public const int RequiredPassword = 194;

    /// <summary>UNKNOWN_DATABASE: dropped under us; the store, not a record, is at fault.</summary>
    public const int UnknownDatabase = 81;

    /// <summary>UNKNOWN_TABLE: dropped under us; the store, not a record, is at fault.</summary>
    public const int UnknownTable = 60;

    /// <summary>KEEPER_EXCEPTION: ZooKeeper failed under a replicated table.</summary>
    public const int KeeperException = 999;

    /// <summary>How a store fault is told from a request fault, by ClickHouse's code; null for no answer from ClickHouse.</summary>
    public static StorageFault Classify(int? code) => code switch
    {
        TimeoutExceeded or TooManySimultaneousQueries or SocketTimeout or TooManyParts => StorageFault.Busy,
        NetworkError or NoZooKeeper or KeeperException or UnknownDatabase or UnknownTable => StorageFault.Io,
        MemoryLimitExceeded => StorageFault.OutOfMemory,
        TableIsReadOnly or ReadOnly or UnknownUser or WrongPassword or RequiredPassword => StorageFault.ReadOnly,
        NotEnoughSpace => StorageFault.DiskFull,
        // No code: no ClickHouse answered (refused, reset, timed out, or a proxy's error page).
        null => StorageFault.Io,
        _ => StorageFault.None,
    };

    /// <summary>
    /// The error an answer carries: 18.16 writes <c>Code: 62, e.displayText() = DB::Exception: Syntax error: ...,
    /// e.what() = DB::Exception</c>; newer servers <c>Code: 62. DB::Exception: ... (SYNTAX_ERROR)</c>. Both parse.
    /// </summary>
    /// <param name="httpStatus">The answer's status.</param>
    /// <param name="body">The answer's text (the first few KB are enough).</param>
    /// <param name="what">What was being done, for the exception's message (never the values of the query).</param>
    public static ClickHouseException Parse(int httpStatus, string body, string what)
    {
        var match = ErrorPattern().Match(body);
        int? code = match.Success ? int.Parse(match.Groups["code"].Value, CultureInfo.InvariantCulture) : null;
        var message = match.Success ? match.Groups["message"].Value.Trim() : body.Trim();
        if (message.Length > 1000)
        {
            message = message[..1000] + "…";
        }

        var fault = Classify(code);
        var codeText = code is { } c ? $"code {c}" : $"HTTP {httpStatus}";
        return new ClickHouseException($"ClickHouse refused {what} ({codeText}): {message}", code, message, httpStatus, fault);
    }

    [GeneratedRegex(@"^Code: (?<code>\d+)[,.]\s*(?:e\.displayText\(\) = )?(?:DB::Exception: )?(?<message>.*?)(?:, e\.what\(\) = .*)?\s*$", RegexOptions.Singleline)]
    private static partial Regex ErrorPattern();
}

using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Ingest.Storage.Reading;

/// <summary>
/// Bounds the time one read runs on SQLite. Microsoft.Data.Sqlite's command timeout only bounds waiting for a lock
/// (SQLite's busy handler), never a statement that is just slow: a wide range over a high-cardinality day kept request
/// threads busy for tens of seconds while more readers piled up behind them (issue 24). Every read runs with a
/// progress handler that looks at the clock every <see cref="Instructions"/> VM instructions and interrupts the
/// statement once the limit has passed; SQLite then fails it with SQLITE_INTERRUPT, surfaced here as
/// <see cref="ReadTimeLimitExceededException"/>.
/// </summary>
public sealed class ReadTimeLimit
{
    /// <summary>VM instructions between two looks at the clock: well under a millisecond of SQLite's work.</summary>
    internal const int Instructions = 1000;

    private const int SqliteInterrupt = 9;

    private static readonly delegate_progress s_check = state => ((Deadline)state).HasPassed ? 1 : 0;

    private readonly TimeProvider _time;
    private readonly OpenReads? _reads;
    private long _interrupted;

    /// <param name="options">The limit.</param>
    /// <param name="time">The clock the limit is measured on (tests step it); default the system's.</param>
    /// <param name="reads">Where each read is tracked while open, for <c>/healthz</c>; none in tools and tests.</param>
    public ReadTimeLimit(ReadOptions options, TimeProvider? time = null, OpenReads? reads = null)
    {
        Limit = options.StatementTimeLimit;
        _time = time ?? TimeProvider.System;
        _reads = reads;
    }

    /// <summary>No limit: for readers built outside the host (tools, tests), which never had one.</summary>
    public static ReadTimeLimit None { get; } = new(new ReadOptions { StatementTimeLimit = Timeout.InfiniteTimeSpan });

    /// <summary>The longest one read may run.</summary>
    public TimeSpan Limit { get; }

    /// <summary>Reads interrupted for running past <see cref="Limit"/>, since start.</summary>
    public long Interrupted => Interlocked.Read(ref _interrupted);

    /// <summary>
    /// Opens a connection from <paramref name="connectionString"/>, runs <paramref name="read"/> on it under the limit
    /// and returns its result. Everything <paramref name="read"/> returns must be materialized: the connection is closed
    /// when it returns.
    /// </summary>
    /// <exception cref="ReadTimeLimitExceededException">The read ran past <see cref="Limit"/>.</exception>
    public T Run<T>(string connectionString, Func<SqliteConnection, T> read)
    {
        using var connection = SqliteConnections.OpenReader(connectionString, _reads);
        if (Limit == Timeout.InfiniteTimeSpan)
        {
            return read(connection);
        }

        var deadline = new Deadline(_time, Limit);
        raw.sqlite3_progress_handler(connection.Handle, Instructions, s_check, deadline);
        try
        {
            return read(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteInterrupt && deadline.HasPassed)
        {
            Interlocked.Increment(ref _interrupted);
            throw new ReadTimeLimitExceededException(Limit, e);
        }
        finally
        {
            // The connection goes back to the pool: the next read on it must not inherit this one's deadline.
            raw.sqlite3_progress_handler(connection.Handle, 0, null, null);
        }
    }

    /// <summary>When one read started, on the limit's clock; once passed, it stays passed.</summary>
    private sealed class Deadline(TimeProvider time, TimeSpan limit)
    {
        private readonly long _started = time.GetTimestamp();
        private bool _passed;

        public bool HasPassed => _passed || (_passed = time.GetElapsedTime(_started) >= limit);
    }
}

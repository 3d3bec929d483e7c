using Ingest.Storage.Writing;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// A request to ClickHouse failed: the server answered with an error (<see cref="Code"/> and its message), or it
/// could not be reached or did not answer in time (no code). <see cref="Fault"/> tells the flush loop whether
/// retrying the same batch later may succeed (see <see cref="ClickHouseErrors"/>).
/// </summary>
public sealed class ClickHouseException : Exception
{
    /// <summary>A failure with the server's error code and message, as <see cref="ClickHouseErrors.Parse"/> read them.</summary>
    public ClickHouseException(string message, int? code, string? serverMessage, int? httpStatus, StorageFault fault, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        ServerMessage = serverMessage;
        HttpStatus = httpStatus;
        Fault = fault;
    }

    /// <summary>An empty failure, for serializers and analyzers; the store never throws one.</summary>
    public ClickHouseException()
        : this("ClickHouse failed", null, null, null, StorageFault.Io)
    {
    }

    /// <summary>A failure with only a message; counted as a fault of the store.</summary>
    public ClickHouseException(string message)
        : this(message, null, null, null, StorageFault.Io)
    {
    }

    /// <summary>A failure with only a message and its cause; counted as a fault of the store.</summary>
    public ClickHouseException(string message, Exception inner)
        : this(message, null, null, null, StorageFault.Io, inner)
    {
    }

    /// <summary>ClickHouse's error code (<c>Code: 60</c> is UNKNOWN_TABLE); null when no server answered.</summary>
    public int? Code { get; }

    /// <summary>The server's message without the code and the C++ decoration; null when no server answered.</summary>
    public string? ServerMessage { get; }

    /// <summary>The HTTP status of the answer; null when there was none (connection refused, timeout).</summary>
    public int? HttpStatus { get; }

    /// <summary>What failed, for the flush loop: <see cref="StorageFault.None"/> for a fault of the data or the query.</summary>
    public StorageFault Fault { get; }

    /// <summary>Whether retrying the same request later may succeed (the store is down, slow, full or busy).</summary>
    public bool IsTransient => Fault != StorageFault.None;
}

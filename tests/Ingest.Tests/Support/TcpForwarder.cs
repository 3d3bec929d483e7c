using System.Net;
using System.Net.Sockets;

namespace Ingest.Tests.Support;

/// <summary>
/// A loopback TCP port that forwards every connection to a target, and can be taken down and brought back on the
/// same port: a server that goes away (a ClickHouse restart) as the process under test sees it, without touching
/// the suite's shared server. <see cref="Stop"/> closes the port and every open connection.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private volatile bool _rejecting;
    private int _rejected;
    private CancellationTokenSource? _stop;
    private Task? _accepting;

    private TcpForwarder(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
    }

    /// <summary>The loopback port it listens on (the same after a stop and a start).</summary>
    public int Port { get; private set; }

    /// <summary>Listens on a free port, forwarding to the target.</summary>
    public static TcpForwarder Start(string targetHost, int targetPort)
    {
        var forwarder = new TcpForwarder(targetHost, targetPort);
        forwarder.Start();
        return forwarder;
    }

    /// <summary>Connections closed at once since <see cref="Reject"/>: what a server not ready yet gives a client.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>Accepts and closes every new connection at once (a reset), counting them, until <see cref="Forward"/>.</summary>
    public void Reject() => _rejecting = true;

    /// <summary>Forwards new connections again.</summary>
    public void Forward() => _rejecting = false;

    /// <summary>Listens again (on <see cref="Port"/> once it has one).</summary>
    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop = new CancellationTokenSource();
        _accepting = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>Closes the port and every connection through it: connecting is refused until <see cref="Start"/>.</summary>
    public void Stop()
    {
        _stop?.Cancel();
        _listener?.Stop();
        lock (_lock)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop?.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_rejecting)
            {
                inbound.Client.LingerState = new LingerOption(true, 0); // a reset, not a polite close
                inbound.Dispose();
                Interlocked.Increment(ref _rejected);
                continue;
            }

            _ = PipeAsync(inbound, stop);
        }
    }

    private async Task PipeAsync(TcpClient inbound, CancellationToken stop)
    {
        var outbound = new TcpClient();
        lock (_lock)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(_targetHost, _targetPort, stop);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, stop), b.CopyToAsync(a, stop));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The far side or Stop closed it: the connection ends, as a restarting server's would.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
            lock (_lock)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }
        }
    }
}

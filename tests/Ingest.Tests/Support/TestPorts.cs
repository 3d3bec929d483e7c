using System.Net;
using System.Net.Sockets;

namespace Ingest.Tests.Support;

/// <summary>
/// Ports for the servers a test starts and stops itself (RabbitMQ, Redis), chosen below the kernel's ephemeral
/// range: a port from that range can be handed to any socket bound to port 0 by a test running beside it (the
/// Kestrel hosts do that), and a broker that finds its port taken at boot dies with rabbit_is_not_running.
/// </summary>
internal static class TestPorts
{
    /// <summary>A block of <paramref name="size"/> consecutive free loopback ports starting at a multiple of 10.</summary>
    public static int FreeBlock(int size)
    {
        var top = EphemeralLow() - size - 1;
        var random = new Random();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = random.Next(1000, top / 10) * 10;
            var listeners = new List<TcpListener>();
            try
            {
                for (var p = port; p < port + size; p++)
                {
                    var l = new TcpListener(IPAddress.Loopback, p);
                    l.Start();
                    listeners.Add(l);
                }

                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"no free block of {size} loopback ports below {top}");
    }

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return 32768;
        }
    }
}

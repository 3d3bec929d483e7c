using System.IO.Compression;
using System.Text;

namespace Ingest.Tests.Support;

/// <summary>
/// What a hostile or misconfigured publisher puts on the event exchange (issue 24), as the bytes it would send:
/// a pickle, a YAML body, a zlib bomb as kombu's <c>compression='gzip'</c> makes it, a nesting bomb.
/// </summary>
public static class HostileBodies
{
    /// <summary>kombu's content type for pickle (Celery's <c>event_serializer='pickle'</c>).</summary>
    public const string PickleType = "application/x-python-serialize";

    /// <summary>kombu's content type for YAML.</summary>
    public const string YamlType = "application/x-yaml";

    /// <summary>kombu's <c>compression</c> header for its 'gzip'/'zlib' codec (the body is zlib.compress's).</summary>
    public const string KombuGzip = "application/x-gzip";

    /// <summary>kombu's <c>compression</c> header for bzip2, which .NET has no reader for.</summary>
    public const string KombuBzip2 = "application/x-bz2";

    /// <summary><c>pickle.dumps({'type': 'task-received', 'uuid': 'pickled'})</c>, protocol 4, from Python 3.11.</summary>
    public static byte[] Pickle { get; } = Convert.FromHexString(
        "8004952d000000000000007d94288c0474797065948c0d7461736b2d7265636569766564948c0475756964948c077069636b6c656494752e");

    /// <summary>A task event in YAML, as kombu's yaml serializer writes one.</summary>
    public static byte[] Yaml { get; } = Encoding.UTF8.GetBytes("type: task-received\nuuid: yaml-1\ntimestamp: 1795376624.0\n");

    /// <summary>
    /// A JSON array of <paramref name="inflatedBytes"/> bytes, almost all spaces, zlib-compressed as kombu does (or
    /// gzip, as HTTP sends it) to about a thousandth of its size: valid JSON once inflated, so only the cap on
    /// inflating can stop it.
    /// </summary>
    public static byte[] Bomb(int inflatedBytes, bool gzip = false)
    {
        var spaces = new byte[1024 * 1024];
        Array.Fill(spaces, (byte)' ');
        using var output = new MemoryStream();
        using (Stream zlib = gzip ? new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true) : new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.WriteByte((byte)'[');
            for (var left = inflatedBytes - 2; left > 0; left -= spaces.Length)
            {
                zlib.Write(spaces, 0, Math.Min(left, spaces.Length));
            }

            zlib.WriteByte((byte)']');
        }

        return output.ToArray();
    }

    /// <summary><paramref name="json"/> as kombu's zlib codec writes it.</summary>
    public static byte[] Zlib(string json) => Compress(json, s => new ZLibStream(s, CompressionLevel.Fastest, leaveOpen: true));

    /// <summary><paramref name="json"/> as HTTP's Content-Encoding: gzip sends it.</summary>
    public static byte[] Gzip(string json) => Compress(json, s => new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true));

    /// <summary>Arrays nested <paramref name="depth"/> deep: <c>[[[…]]]</c>.</summary>
    public static byte[] NestingBomb(int depth) => Encoding.ASCII.GetBytes(new string('[', depth) + new string(']', depth));

    /// <summary>A well-formed task-received event for <paramref name="taskId"/>, stamped <paramref name="timestamp"/>.</summary>
    public static string Received(string taskId, double timestamp, string name = "shop.add", string hostname = "w1@h") =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "task-received", ["uuid"] = taskId, ["name"] = name, ["hostname"] = hostname, ["args"] = "(1, 2)",
            ["kwargs"] = "{}", ["queue"] = "celery", ["timestamp"] = timestamp,
        });

    /// <summary><see cref="Received"/> as the bytes a publisher sends.</summary>
    public static byte[] Good(string taskId, double timestamp) => Encoding.UTF8.GetBytes(Received(taskId, timestamp));

    private static byte[] Compress(string json, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(Encoding.UTF8.GetBytes(json));
        }

        return output.ToArray();
    }
}

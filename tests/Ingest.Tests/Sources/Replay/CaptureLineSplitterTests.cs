using System.Text;
using Ingest.Sources.Replay;

namespace Ingest.Tests.Sources.Replay;

public class CaptureLineSplitterTests
{
    /// <summary>Issue 29: lines come out whole however the stream cuts its reads, and a line over the limit is passed over to its end.</summary>
    [Fact]
    public async Task MoveNext_ReadsCutAnywhere_GivesWholeLines_PassesOverOneTooLong_Issue29()
    {
        var text = "\uFEFFfirst\r\n\n" + new string('x', 100) + "\nlast-no-newline";
        var lines = new List<string>();
        var tooLong = new List<bool>();
        var splitter = new CaptureLineSplitter(new TrickleStream(Encoding.UTF8.GetBytes(text)), maxLineBytes: 64);
        while (await splitter.MoveNextAsync(CancellationToken.None))
        {
            lines.Add(Encoding.UTF8.GetString(splitter.Current));
            tooLong.Add(splitter.TooLong);
        }

        Assert.Equal(["first\r", "", "", "last-no-newline"], lines);
        Assert.Equal([false, false, true, false], tooLong);
    }

    /// <summary>A stream that gives at most 3 bytes per read, so every line crosses reads.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(3, buffer.Length)], cancellationToken);
    }
}

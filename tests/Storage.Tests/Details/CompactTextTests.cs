using System.Text;
using Ingest.Storage.Details;

namespace Ingest.Storage.Tests.Details;

/// <summary>Issue 29: long args and kwargs held as compressed UTF-8 while they wait, so what dies in gen2 is small.</summary>
public sealed class CompactTextTests
{
    [Fact]
    public void Of_ShortText_KeepsTheString_LongTextHeldCompact()
    {
        Assert.Null(CompactText.Of(null));
        Assert.Null(CompactText.Of(new string('x', CompactText.MinChars - 1)));
        var compact = CompactText.Of(new string('x', 32_000));

        Assert.NotNull(compact);
        Assert.True(compact.Compressed);
        Assert.Equal(32_000, compact.Length);
        Assert.InRange(compact.HeldBytes, 1, 200); // 64 KB as a string
    }

    [Fact]
    public void Compact_Repetitive_IncompressibleAndMultiByteText_RoundTripExactly()
    {
        var random = new Random(29);
        var noise = Convert.ToBase64String([.. Enumerable.Range(0, 30_000).Select(_ => (byte)random.Next(256))]);
        var repeated = string.Concat(Enumerable.Repeat("{'order_id': 12345, 'sku': 'A-1'} ", 300));
        var multiByte = string.Concat(Enumerable.Repeat("{'city': 'Москва', 'note': '漢字 😀', 'q': \"\\u0000\"} ", 200));

        foreach (var text in new[] { noise, repeated, multiByte, "" })
        {
            var compact = CompactText.Compact(text);
            Assert.Equal(text, compact.ToString());
            Assert.Equal(Encoding.UTF8.GetByteCount(text), compact.Utf8Length);
            var utf8 = new byte[compact.Utf8Length];
            Assert.Equal(utf8.Length, compact.CopyUtf8To(utf8));
            Assert.Equal(Encoding.UTF8.GetBytes(text), utf8);
        }

        // Random base64 carries six bits a byte: the frame's entropy coding still saves about a quarter.
        Assert.InRange(CompactText.Compact(noise).HeldBytes, noise.Length / 2, noise.Length * 4 / 5);
        Assert.True(CompactText.Compact(repeated).Compressed);
        // Where a frame saves less than a tenth (here it would be larger), the UTF-8 itself is held.
        Assert.False(CompactText.Compact("").Compressed);
        Assert.False(CompactText.Compact("{'id': 7}").Compressed);
    }

    [Fact]
    public void Equals_SameTextEqual_OtherTextNot()
    {
        var text = new string('y', 10_000);

        Assert.Equal(CompactText.Compact(text), CompactText.Compact(text));
        Assert.NotEqual(CompactText.Compact(text), CompactText.Compact(text + "!"));
        Assert.NotEqual(CompactText.Compact(text), CompactText.Compact(new string('z', 10_000)));
    }

    [Fact]
    public async Task Compact_ManyThreadsAtOnce_EachGetsItsOwnTextBack()
    {
        var texts = Enumerable.Range(0, 64).Select(i => string.Concat(Enumerable.Repeat($"{{'n': {i}, 'pad': '{new string((char)('a' + (i % 26)), i)}'}} ", 400))).ToArray();

        var results = await Task.WhenAll(texts.Select(t => Task.Run(() => CompactText.Compact(t).ToString())));

        Assert.Equal(texts, results);
    }
}

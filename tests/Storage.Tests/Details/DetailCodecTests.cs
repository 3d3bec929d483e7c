using System.Text;
using Ingest.Storage.Details;

namespace Ingest.Storage.Tests.Details;

/// <summary>Issue 29: the stored form of a details value compressed with a day's dictionary, and what a bad one gives.</summary>
public sealed class DetailCodecTests
{
    private static readonly DateOnly s_day = new(2026, 11, 22);

    [Fact]
    public void Encode_LongValue_RoundTripsSmallerWithTagAndId_Issue29()
    {
        var dictionary = Trained(id: 3);
        var text = DetailSamples.Kwargs(123_457);

        var stored = DetailCodec.Encode(text, dictionary);

        Assert.NotNull(stored);
        Assert.Equal(DetailCodec.ZstdWithDictionary, stored[0]);
        Assert.Equal(3, DetailCodec.DictionaryId(stored));
        Assert.True(stored.Length < Encoding.UTF8.GetByteCount(text) / 2, $"{stored.Length} bytes for {text.Length} characters");
        Assert.Equal(text, DetailCodec.Decode(stored, id => id == 3 ? dictionary : null));
    }

    [Fact]
    public void Encode_LongValues_ScratchSizedToTheValueUnderTheLargeObjectHeapAndRoundTrip_Issue29()
    {
        var dictionary = Trained(id: 4);
        // MemoryBoundTests' 32,000-character args: 64 KB of scratch, where three bytes a character asked for 192 KB.
        var ascii = string.Concat(Enumerable.Range(0, 400).Select(DetailSamples.Kwargs))[..32_000];
        var multiByte = string.Concat(Enumerable.Repeat("{'city': 'Москва', 'note': '漢字 😀'} ", 600));

        Assert.InRange(DetailCodec.ScratchBytes(Encoding.UTF8.GetByteCount(ascii)), 64_000, 85_000 - 1);
        Assert.Equal(ascii, DetailCodec.Decode(DetailCodec.Encode(ascii, dictionary)!, _ => dictionary));
        Assert.Equal(multiByte, DetailCodec.Decode(DetailCodec.Encode(multiByte, dictionary)!, _ => dictionary));
    }

    [Fact]
    public void Encode_ShortOrNonAsciiValues_ShortStaysRawOthersRoundTrip_Issue29()
    {
        var dictionary = Trained(id: 200);

        Assert.Null(DetailCodec.Encode("()", dictionary));
        Assert.Null(DetailCodec.Encode("{'a': 1}", dictionary));
        var text = "{'customer': 'Müller', 'city': 'Москва', 'note': '漢字 😀', 'tier': 'gold', 'order_id': 123456}";
        var stored = DetailCodec.Encode(text, dictionary);
        Assert.NotNull(stored);
        Assert.Equal(200, DetailCodec.DictionaryId(stored)); // two bytes of id
        Assert.Equal(text, DetailCodec.Decode(stored, _ => dictionary));
    }

    [Fact]
    public void Decode_CorruptTruncatedOrUnknown_ThrowsClearError_Issue29()
    {
        var dictionary = Trained(id: 1);
        var stored = DetailCodec.Encode(DetailSamples.Kwargs(5), dictionary)!;
        var corrupt = (byte[])stored.Clone();
        for (var i = 3; i < corrupt.Length; i++)
        {
            corrupt[i] ^= 0x5A;
        }

        Assert.Contains("corrupt", Assert.Throws<DetailFormatException>(() => DetailCodec.Decode(corrupt, _ => dictionary)).Message);
        Assert.Throws<DetailFormatException>(() => DetailCodec.Decode(stored.AsSpan(0, stored.Length / 2), _ => dictionary));
        Assert.Contains("unknown details format 7", Assert.Throws<DetailFormatException>(() => DetailCodec.Decode([7, 1, 2, 3], _ => dictionary)).Message);
        Assert.Contains("no dictionary 1", Assert.Throws<DetailFormatException>(() => DetailCodec.Decode(stored, _ => null)).Message);
        Assert.Throws<DetailFormatException>(() => DetailCodec.Decode([], _ => dictionary));
        Assert.Throws<DetailFormatException>(() => DetailCodec.Decode([1, 0x80, 0x80], _ => dictionary));
    }

    [Fact]
    public void Decode_FrameClaimingMoreThanTheCap_RefusedBeforeAllocating_Issue29()
    {
        // A frame header that says 4 GiB of content follows (single segment, 4-byte content size), with a raw block after it.
        byte[] hostile = [DetailCodec.ZstdWithDictionary, 1, 0xA0, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00];

        var error = Assert.Throws<DetailFormatException>(() => DetailCodec.Decode(hostile, _ => Trained(1)));

        Assert.Matches("cap|corrupt", error.Message);
    }

    /// <summary>A dictionary trained on a day's worth of sample kwargs.</summary>
    internal static DictionaryOfDay Trained(int id)
    {
        var samples = Enumerable.Range(0, 600).Select(i => Encoding.UTF8.GetBytes(DetailSamples.Kwargs(i)));
        return new DictionaryOfDay(s_day, id, ZstdSharp.DictBuilder.TrainFromBuffer(samples, 4 << 10));
    }
}

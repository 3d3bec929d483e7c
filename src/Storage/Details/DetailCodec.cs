using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ZstdSharp;

namespace Ingest.Storage.Details;

/// <summary>
/// How a details value (args, kwargs, result, traceback) is stored on a day with a dictionary (issue 29): as TEXT when
/// it is kept raw, as a BLOB when compressed. The BLOB is a format tag, the dictionary's id (LEB128) and a zstd frame
/// without its four-byte magic number, which every frame has and the tag already says. Raw and compressed values
/// coexist in one day, and a day made earlier (all TEXT) reads unchanged.
/// </summary>
public static class DetailCodec
{
    /// <summary>The tag of a zstd frame compressed with one of the day's dictionaries.</summary>
    public const byte ZstdWithDictionary = 1;

    /// <summary>
    /// Values shorter than this (UTF-8 bytes) stay raw: a frame's header, the tag and the id cost about 7 bytes, so a
    /// short value gains nothing, and compressing it would cost the producer for nothing.
    /// </summary>
    public const int MinBytes = 24;

    /// <summary>
    /// The most a value may decompress to. No detail can be larger than the 8 MiB body it arrived in, so a frame
    /// claiming more is corrupt or hostile; it is refused before anything is allocated for it.
    /// </summary>
    public const int MaxDecodedBytes = 8 << 20;

    private const uint FrameMagic = 0xFD2FB528;

    /// <summary>Values longer than this are encoded through a rented buffer rather than the stack.</summary>
    private const int StackBytes = 1024;

    /// <summary>
    /// The stored form of <paramref name="text"/> compressed with <paramref name="dictionary"/>, or null when it is
    /// better kept raw (short, or no smaller compressed).
    /// </summary>
    public static byte[]? Encode(string text, DictionaryOfDay dictionary)
    {
        if (text.Length < MinBytes || text.Length > MaxDecodedBytes)
        {
            return null;
        }

        var length = Encoding.UTF8.GetByteCount(text);
        if (length > MaxDecodedBytes)
        {
            return null;
        }

        var scratch = ScratchBytes(length);
        byte[]? rented = null;
        Span<byte> buffer = scratch <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(scratch));
        try
        {
            Encoding.UTF8.GetBytes(text, buffer);
            return EncodeUtf8(buffer, length, dictionary);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The stored form of a long text held compact (issue 29), compressed with <paramref name="dictionary"/> from its
    /// UTF-8 without a string being made, or null when it is better kept as it is.
    /// </summary>
    public static byte[]? Encode(CompactText text, DictionaryOfDay dictionary)
    {
        var length = text.Utf8Length;
        if (length < MinBytes || length > MaxDecodedBytes)
        {
            return null;
        }

        var rented = ArrayPool<byte>.Shared.Rent(ScratchBytes(length));
        try
        {
            text.CopyUtf8To(rented);
            return EncodeUtf8(rented, length, dictionary);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Compresses the <paramref name="length"/> bytes of UTF-8 at the start of <paramref name="buffer"/>, which has the scratch after them.</summary>
    private static byte[]? EncodeUtf8(Span<byte> buffer, int length, DictionaryOfDay dictionary)
    {
        var utf8 = buffer[..length];
        var header = Header(dictionary.Id, buffer[length..]);
        var frame = buffer[(length + header)..];
        if (utf8.Length < MinBytes || !dictionary.TryCompress(utf8, frame, out var written) || written - 4 + header >= utf8.Length)
        {
            return null;
        }

        // The frame's magic number is dropped: the tag says what follows.
        var stored = new byte[header + written - 4];
        buffer.Slice(length, header).CopyTo(stored);
        frame.Slice(4, written - 4).CopyTo(stored.AsSpan(header));
        return stored;
    }

    /// <summary>
    /// The scratch <see cref="Encode"/> rents for a value of <paramref name="utf8Bytes"/>: the value, the header and
    /// the frame's bound. Sized to the value's own UTF-8 length, not the most its characters could take (three bytes
    /// each): a 32,000-character ASCII value needs 64 KB, where the worst case asked the shared pool for 192 KB (a 256 KiB
    /// large-object array, which each producer thread kept and a new thread made anew; issue 29).
    /// </summary>
    internal static int ScratchBytes(int utf8Bytes) => utf8Bytes + Compressor.GetCompressBound(utf8Bytes) + 8;

    /// <summary>The dictionary id a stored BLOB names.</summary>
    /// <exception cref="DetailFormatException">Not a value this version wrote.</exception>
    public static int DictionaryId(ReadOnlySpan<byte> stored)
    {
        if (stored.Length < 2 || stored[0] != ZstdWithDictionary)
        {
            throw new DetailFormatException(stored.Length == 0 ? "empty compressed value" : $"unknown details format {stored[0]}");
        }

        return ReadId(stored, out _);
    }

    /// <summary>
    /// The text of a stored BLOB, decompressed with the dictionary <paramref name="dictionary"/> gives for its id
    /// (null: none such). At most <see cref="MaxDecodedBytes"/> are ever allocated.
    /// </summary>
    /// <exception cref="DetailFormatException">An unknown format, a missing dictionary, a corrupt or oversized frame.</exception>
    public static string Decode(ReadOnlySpan<byte> stored, Func<int, DictionaryOfDay?> dictionary)
    {
        var id = DictionaryId(stored);
        ReadId(stored, out var header);
        var found = dictionary(id) ?? throw new DetailFormatException($"no dictionary {id} for this day");
        var frame = ArrayPool<byte>.Shared.Rent(stored.Length - header + 4);
        byte[]? text = null;
        try
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame, FrameMagic);
            stored[header..].CopyTo(frame.AsSpan(4));
            var whole = frame.AsSpan(0, stored.Length - header + 4);
            var size = Decompressor.GetDecompressedSize(whole);
            if (size > MaxDecodedBytes)
            {
                throw new DetailFormatException($"compressed value claims {size} bytes, over the {MaxDecodedBytes} cap");
            }

            text = ArrayPool<byte>.Shared.Rent((int)size);
            var written = found.Decompress(whole, text.AsSpan(0, (int)size));
            return Encoding.UTF8.GetString(text, 0, written);
        }
        catch (ZstdException e)
        {
            throw new DetailFormatException($"corrupt compressed value ({e.Message})", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
            if (text is not null)
            {
                ArrayPool<byte>.Shared.Return(text);
            }
        }
    }

    /// <summary>Writes the tag and the id; returns their length.</summary>
    private static int Header(int id, Span<byte> to)
    {
        to[0] = ZstdWithDictionary;
        var at = 1;
        var rest = (uint)id;
        while (rest >= 0x80)
        {
            to[at++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        to[at++] = (byte)rest;
        return at;
    }

    private static int ReadId(ReadOnlySpan<byte> stored, out int header)
    {
        uint id = 0;
        for (int at = 1, shift = 0; at < stored.Length && at <= 5; at++, shift += 7)
        {
            id |= (uint)(stored[at] & 0x7F) << shift;
            if ((stored[at] & 0x80) == 0)
            {
                header = at + 1;
                return id is >= 1 and <= int.MaxValue ? (int)id : throw new DetailFormatException($"bad dictionary id {id}");
            }
        }

        throw new DetailFormatException("truncated compressed value");
    }
}

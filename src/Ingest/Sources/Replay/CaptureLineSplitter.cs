namespace Ingest.Sources.Replay;

/// <summary>
/// Splits a capture stream into lines of UTF-8 bytes, in one reused buffer: a line is valid until the next
/// <see cref="MoveNextAsync"/>. Issue 29: reading the capture as strings (UTF-16 copies of 634 MB, then a UTF-8 copy
/// again for the JSON parser) cost the replay's producer a third of its CPU, which no broker source ever pays. Lines
/// end at <c>\n</c>; a trailing <c>\r</c> stays in the line for the caller to treat as whitespace. A UTF-8 byte
/// order mark at the start is skipped, as <see cref="StreamReader"/> skips it.
/// </summary>
internal sealed class CaptureLineSplitter
{
    /// <summary>
    /// Longest line kept: room for the largest body the decoder may be set to accept (256 MiB) in base64 and its
    /// labels. A longer line is passed over to its end and reported as too long, so a file without newlines cannot
    /// grow the buffer without bound.
    /// </summary>
    public const int MaxLineBytes = 384 * 1024 * 1024;

    private const int ReadSize = 1024 * 1024;

    private readonly Stream _input;
    private readonly int _maxLineBytes;
    private byte[] _buffer = new byte[ReadSize];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;
    private int _lineStart;
    private int _lineLength;

    public CaptureLineSplitter(Stream input, int maxLineBytes = MaxLineBytes)
    {
        _input = input;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>The current line, without its <c>\n</c>.</summary>
    public ReadOnlySpan<byte> Current => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>True when the current line was longer than the limit: <see cref="Current"/> is then empty.</summary>
    public bool TooLong { get; private set; }

    /// <summary>Moves to the next line; false at the end of the stream.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var skipping = false;
        var searched = 0; // bytes after _start already known to hold no newline
        while (true)
        {
            var newline = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                SetLine(skipping, searched + newline);
                _start += searched + newline + 1;
                return true;
            }

            searched = _end - _start;
            if (_eof)
            {
                if (searched == 0 && !skipping)
                {
                    return false;
                }

                SetLine(skipping, searched);
                _start = _end;
                return true;
            }

            if (searched >= _maxLineBytes)
            {
                // Over the limit: forget what was read of the line and look for its end.
                skipping = true;
                _start = _end;
                searched = 0;
            }

            Compact();
            var read = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            _eof = read == 0;
            _end += read;
            if (_first)
            {
                _first = false;
                if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8))
                {
                    _start = 3;
                }
            }
        }
    }

    private void SetLine(bool skipped, int length)
    {
        TooLong = skipped;
        _lineStart = _start;
        _lineLength = skipped ? 0 : length;
    }

    /// <summary>Moves the unread part of the buffer to its front, and grows it (up to the limit) when a line fills it.</summary>
    private void Compact()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        if (_buffer.Length - _end < ReadSize / 4)
        {
            Array.Resize(ref _buffer, (int)Math.Min((long)_maxLineBytes + ReadSize, _buffer.Length * 2L));
        }
    }
}

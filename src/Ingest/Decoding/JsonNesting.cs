namespace Ingest.Decoding;

/// <summary>
/// Tells a nesting bomb (<c>[[[[…</c> a hundred thousand deep) from other broken JSON once a parse has failed: the
/// reader refuses both with the same exception type, and an operator needs to know which one arrived.
/// </summary>
internal static class JsonNesting
{
    /// <summary>
    /// True when <paramref name="json"/> opens more than <paramref name="maxDepth"/> arrays or objects inside one
    /// another anywhere, strings skipped. One pass, no allocation; only run on a body that already failed to parse.
    /// </summary>
    public static bool Exceeds(ReadOnlySpan<byte> json, int maxDepth)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'[' or (byte)'{':
                    if (++depth > maxDepth)
                    {
                        return true;
                    }

                    break;
                case (byte)']' or (byte)'}':
                    depth--;
                    break;
            }
        }

        return false;
    }
}

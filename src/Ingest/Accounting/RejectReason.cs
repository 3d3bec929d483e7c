namespace Ingest.Accounting;

/// <summary>Why an event (or a whole body) was not accepted. Each has its own counter.</summary>
public enum RejectReason
{
    /// <summary>The body is not valid JSON from some point on; events completed before that point are kept.</summary>
    MalformedJson,

    /// <summary>A body or batch element that is not a JSON object.</summary>
    NotAnObject,

    /// <summary>No <c>type</c> field.</summary>
    MissingType,

    /// <summary>A <c>type</c> this version does not know (custom events, typos).</summary>
    UnknownType,

    /// <summary>A task event without a usable <c>uuid</c>.</summary>
    MissingUuid,

    /// <summary><c>type</c> or <c>uuid</c> of the wrong JSON type, or a task id over 255 characters.</summary>
    WrongType,

    /// <summary>A body over the size limit.</summary>
    TooLarge,

    /// <summary>
    /// An HTTP body whose Content-Type is not <c>application/json</c> (what a cross-site form or text/plain POST
    /// sends). A broker message labelled as something else is <see cref="UnsupportedContentType"/>.
    /// </summary>
    NotJson,

    /// <summary>
    /// A broker message whose content type names another serializer: Celery's <c>event_serializer</c> set to
    /// pickle (<c>application/x-python-serialize</c>), YAML or msgpack. Refused unread: nothing is ever unpickled.
    /// </summary>
    UnsupportedContentType,

    /// <summary>
    /// A body in an encoding Ingest does not read: a charset other than UTF-8, a compression other than zlib or
    /// gzip (kombu's bzip2, brotli, lzma, zstd), or compressed data that does not decompress.
    /// </summary>
    UnsupportedEncoding,

    /// <summary>A compressed body that inflates past the body size limit (a decompression bomb); inflating stops there.</summary>
    DecompressedTooLarge,

    /// <summary>JSON nested deeper than <see cref="CeleryEventDecoder.MaxDepth"/> (a nesting bomb); no Celery event comes near it.</summary>
    NestingTooDeep,
}

namespace Ingest.Decoding;

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

    /// <summary>A body that is not <c>application/json</c> (what a cross-site form or text/plain POST sends).</summary>
    NotJson,
}

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

/// <summary>Something repaired in an accepted event. The event is kept; the repair is counted.</summary>
public enum Repair
{
    /// <summary>No <c>timestamp</c> (or not a number): the arrival time is used.</summary>
    TimestampMissing,

    /// <summary>A timestamp before 2000 or too far in the future (year 1970, year 3000): the arrival time is used.</summary>
    TimestampOutOfRange,

    /// <summary>A text field longer than the limit, cut with a marker.</summary>
    FieldTruncated,

    /// <summary>A lone UTF-16 surrogate escape or invalid UTF-8 byte, stored as U+FFFD.</summary>
    InvalidText,

    /// <summary>An optional field of the wrong JSON type, ignored.</summary>
    FieldWrongType,

    /// <summary>
    /// A number no worker sends (a runtime of 1e308 s or below zero, negative retries, a heartbeat interval of a
    /// year): the field is ignored, so nothing downstream has to survive it.
    /// </summary>
    ValueOutOfRange,

    /// <summary>A value of a secret-looking key in args, kwargs or result, masked (<c>--redact-keys</c>); counted per value.</summary>
    Redacted,
}

public static class DecodeReasonNames
{
    public const int RejectCount = (int)RejectReason.NotJson + 1;
    public const int RepairCount = (int)Repair.Redacted + 1;

    private static readonly string[] s_reject = ["malformed_json", "not_an_object", "missing_type", "unknown_type", "missing_uuid", "wrong_type", "too_large", "not_json"];
    private static readonly string[] s_repair = ["timestamp_missing", "timestamp_out_of_range", "field_truncated", "invalid_text", "field_wrong_type", "value_out_of_range", "redacted"];

    public static string Name(this RejectReason reason) => s_reject[(int)reason];

    public static string Name(this Repair repair) => s_repair[(int)repair];
}

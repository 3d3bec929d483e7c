namespace Ingest.Accounting;

/// <summary>Something repaired in an accepted event. The event is kept; the repair is counted.</summary>
public enum Repair
{
    /// <summary>No <c>timestamp</c> (or not a number): the arrival time is used.</summary>
    TimestampMissing,

    /// <summary>
    /// A timestamp before 2000, before the days retention keeps, or too far in the future (year 1970, year 3000): the
    /// arrival time is used.
    /// </summary>
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

    /// <summary>
    /// Control characters (NUL and the rest of C0, DEL, C1, U+2028/U+2029) removed from a task id, name, hostname,
    /// queue, exchange, routing key or other identifier: they would be stored, compared and exported to
    /// <c>/metrics</c> labels raw. Counted per field.
    /// </summary>
    ControlCharacters,
}

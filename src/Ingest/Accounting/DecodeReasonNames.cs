namespace Ingest.Accounting;

/// <summary>The names <c>/metrics</c> and the API give each <see cref="RejectReason"/> and <see cref="Repair"/>.</summary>
public static class DecodeReasonNames
{
    public const int RejectCount = (int)RejectReason.NestingTooDeep + 1;
    public const int RepairCount = (int)Repair.ControlCharacters + 1;

    private static readonly string[] s_reject = ["malformed_json", "not_an_object", "missing_type", "unknown_type", "missing_uuid", "wrong_type", "too_large", "not_json",
        "unsupported_content_type", "unsupported_encoding", "decompressed_too_large", "nesting_too_deep"];
    private static readonly string[] s_repair = ["timestamp_missing", "timestamp_out_of_range", "field_truncated", "invalid_text", "field_wrong_type", "value_out_of_range", "redacted", "control_characters"];

    public static string Name(this RejectReason reason) => s_reject[(int)reason];

    public static string Name(this Repair repair) => s_repair[(int)repair];
}

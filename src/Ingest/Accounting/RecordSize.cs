using Ingest.Storage;
using Ingest.Storage.Details;

namespace Ingest.Accounting;

/// <summary>
/// What a record costs in memory, as the byte budget counts it: the text it holds (UTF-16, two bytes a char, plus
/// a string's header) and a fixed allowance for the objects around it. An estimate that errs high, computed from
/// lengths only, so accounting costs a few additions per record.
/// </summary>
public static class RecordSize
{
    /// <summary>The record object with its numbers, plus the channel slot or the tracker's map entry and list node.</summary>
    public const int Overhead = 320;

    private const int StringHeader = 24;

    public static long Of(string? text) => text is null ? 0 : StringHeader + (2L * text.Length);

    /// <summary>
    /// A value as held: a string, or a long text held compact (issue 29), counted at its text's size all the same, so
    /// that the budget means the same in either form and a record never counts less than the strings the writer and
    /// the readers may make of it. What the compact form saves is the GC's garbage, not the budget.
    /// </summary>
    public static long OfHeld(object? held) => held switch
    {
        string text => Of(text),
        CompactText compact => StringHeader + (2L * compact.Length),
        _ => 0,
    };

    public static long Of(InvocationRecord r) =>
        Overhead + Of(r.TaskId) + Of(r.Name) + Of(r.Worker) + Of(r.Queue) + OfHeld(r.HeldArgs) + OfHeld(r.HeldKwargs) + OfHeld(r.HeldResult)
        + Of(r.Exception) + OfHeld(r.HeldTraceback) + Of(r.ParentId) + Of(r.RootId) + Of(r.Eta) + Of(r.Expires);
}

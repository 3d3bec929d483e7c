using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record InvocationListView(IReadOnlyList<InvocationView> Items, string? NextCursor)
{
    /// <summary>With <c>q</c>: partitions the value search could not look in (empty when it searched everything).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Unsearched { get; init; }
}

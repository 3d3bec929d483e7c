namespace Ingest.Web;

/// <summary>The JSON body of every refusal and error the HTTP surface sends: <c>{"error": "why"}</c>.</summary>
public sealed record ErrorView(string Error);

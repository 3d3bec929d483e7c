namespace Ingest.Storage.Writing;

/// <summary>A row's text for the search index; args and kwargs as the record holds them (a string, or a long text held compact).</summary>
internal readonly record struct SearchEntry(bool ReplacesIndexed, object? Args, object? Kwargs, string? Result)
{
    public bool HasText => Args is not null || Kwargs is not null || Result is not null;
}

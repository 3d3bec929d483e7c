namespace Ingest.Storage.Writing;

/// <summary>A row's text for the search index; args, kwargs and result as the record holds them (a string, or a long text held compact).</summary>
internal readonly record struct SearchEntry(bool ReplacesIndexed, object? Args, object? Kwargs, object? Result)
{
    public bool HasText => Args is not null || Kwargs is not null || Result is not null;
}

namespace Ingest.Storage.Writing;

internal readonly record struct SearchEntry(bool ReplacesIndexed, string? Args, string? Kwargs, string? Result)
{
    public bool HasText => Args is not null || Kwargs is not null || Result is not null;
}

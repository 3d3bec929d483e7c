namespace Ingest.Decoding;

/// <summary>
/// What a body's transport says it is, before anyone reads it: AMQP's <c>content_type</c> and
/// <c>content_encoding</c> properties and kombu's <c>compression</c> header; the same three in kombu's Redis
/// envelope; HTTP's Content-Type (its <c>charset</c>) and Content-Encoding. The default, all unset, is what a
/// producer that labels nothing sends, and is read as JSON.
/// </summary>
/// <param name="ContentType">The media type, parameters allowed (<c>application/json; charset=utf-8</c>); Celery sends <c>application/json</c>.</param>
/// <param name="Charset">kombu's <c>content_encoding</c> (<c>utf-8</c>, or <c>binary</c> for raw bytes); null to take the Content-Type's <c>charset</c>.</param>
/// <param name="Compression">
/// kombu's <c>compression</c> header (<c>application/x-gzip</c>, which is zlib, or <c>application/x-bz2</c>...) or
/// HTTP's Content-Encoding (<c>gzip</c>, <c>deflate</c>); null or <c>identity</c> for none.
/// </param>
public readonly record struct BodyContent(string? ContentType, string? Charset, string? Compression);

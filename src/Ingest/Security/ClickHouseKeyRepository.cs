using System.Text.Json;
using System.Xml.Linq;
using Ingest.Storage.ClickHouse;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Ingest.Security;

/// <summary>
/// The key ring that signs session cookies, kept in the ClickHouse store when it is one (issue 26): every instance
/// sharing the database reads the same keys, so a session signed in on one is valid on the others, with no shared
/// volume to mount. Keys are kept as ASP.NET Core writes them (unencrypted XML, as in the <c>.keys</c> folder beside
/// the SQLite file): whoever reads the store's tables can forge sessions, so its credentials guard them.
/// </summary>
/// <remarks>
/// The data-protection system calls this rarely (at its first use, then about once a day, and when it makes a
/// key), and may do so before the flush loop has created the tables: the first call brings the schema up itself.
/// </remarks>
internal sealed class ClickHouseKeyRepository(ClickHouseClient client, TimeProvider time) : IXmlRepository
{
    /// <summary>Most key-ring elements read (one a key or revocation; a key is made every 90 days).</summary>
    public const int MaxElements = 10_000;

    private readonly Lock _gate = new();
    private bool _migrated;

    /// <inheritdoc/>
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureSchema();
        var answer = client.Query(
            $"SELECT name, any(xml) AS xml FROM {client.Endpoint.Database}.keys GROUP BY name ORDER BY name LIMIT {ClickHouseSql.Number(MaxElements)} FORMAT JSONEachRow");
        return answer.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => XElement.Parse(JsonDocument.Parse(line).RootElement.GetProperty("xml").GetString()!))
            .ToList();
    }

    /// <inheritdoc/>
    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureSchema();
        using var body = new MemoryStream();
        using (var row = new Utf8JsonWriter(body))
        {
            // A JSON body, escaped by the writer: the key's XML never becomes SQL.
            row.WriteStartObject();
            row.WriteString("name", friendlyName);
            row.WriteString("xml", element.ToString(SaveOptions.DisableFormatting));
            row.WriteString("stored_at", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
            row.WriteEndObject();
        }

        client.Insert("keys", body.ToArray());
    }

    private void EnsureSchema()
    {
        lock (_gate)
        {
            if (!_migrated)
            {
                ClickHouseMigrator.MigrateAsync(client, CancellationToken.None).GetAwaiter().GetResult();
                _migrated = true;
            }
        }
    }
}

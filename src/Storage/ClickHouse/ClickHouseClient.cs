using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Ingest.Storage.Writing;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// ClickHouse's HTTP interface, and only what 18.16 and every newer server accept: SQL in a POST body, inserts as
/// <c>INSERT ... FORMAT JSONEachRow</c> with the rows in the body, credentials in <c>X-ClickHouse-User</c> and
/// <c>X-ClickHouse-Key</c> (never in the URL, which proxies log). Every request has a deadline, on the client and
/// (<c>max_execution_time</c>) on the server; every failure is a <see cref="ClickHouseException"/> that says whether
/// a retry may succeed. Thread-safe, as HttpClient is.
/// </summary>
public sealed class ClickHouseClient : IDisposable
{
    /// <summary>The longest answer read into memory; a query that answers more is refused, not buffered.</summary>
    public const long MaxResponseBytes = 64L * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly ClickHouseEndpoint _endpoint;
    private readonly TimeSpan _timeout;

    /// <param name="endpoint">Where the server is, and who we are.</param>
    /// <param name="timeout">The deadline of every request, connecting included.</param>
    /// <param name="handler">The HTTP handler (a test's); null for the default.</param>
    public ClickHouseClient(ClickHouseEndpoint endpoint, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        _endpoint = endpoint;
        _timeout = timeout;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = endpoint.BaseAddress;
        // The client's own deadline is ours, per request (a linked token), so HttpClient's is switched off.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.MaxResponseContentBufferSize = MaxResponseBytes;
    }

    /// <summary>Where this client talks to.</summary>
    public ClickHouseEndpoint Endpoint => _endpoint;

    /// <summary>Runs one statement in the endpoint's database and returns the answer's text (empty for DDL and inserts).</summary>
    /// <param name="sql">The statement; every value in it written by <see cref="ClickHouseSql"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the server's own deadline stops the query).</param>
    public Task<string> QueryAsync(string sql, CancellationToken cancellationToken) =>
        SendAsync(Uri("database", _endpoint.Database), new StringContent(sql, Encoding.UTF8), "a query", cancellationToken);

    /// <summary>Runs one statement outside any database (<c>CREATE DATABASE</c>, <c>SELECT version()</c>).</summary>
    public Task<string> QueryServerAsync(string sql, CancellationToken cancellationToken) =>
        SendAsync(Uri(), new StringContent(sql, Encoding.UTF8), "a query", cancellationToken);

    /// <summary>Inserts rows, given as JSONEachRow (one JSON object a line), into <paramref name="table"/> in one request.</summary>
    /// <param name="table">A table of the endpoint's database: a checked name, never user input.</param>
    /// <param name="rows">The rows' JSON, UTF-8.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task InsertAsync(string table, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken)
    {
        var insert = $"INSERT INTO {_endpoint.Database}.{ClickHouseEndpoint.CheckName(table, "table")} FORMAT JSONEachRow";
        // Through a Distributed table, the insert answers only once every shard has its rows: a failure reaches the
        // flush loop's retry, instead of being queued on this node, and a read right after sees the rows.
        var uri = _endpoint.Cluster is null
            ? Uri("database", _endpoint.Database, "query", insert)
            : Uri("database", _endpoint.Database, "insert_distributed_sync", "1", "query", insert);
        return SendAsync(uri, new ReadOnlyMemoryContent(rows), "an insert into " + table, cancellationToken);
    }

    /// <summary>
    /// <see cref="QueryAsync"/> for the flush loop's own thread, which has no synchronization context to deadlock on.
    /// </summary>
    public string Query(string sql, CancellationToken cancellationToken = default) =>
        QueryAsync(sql, cancellationToken).GetAwaiter().GetResult();

    /// <summary><see cref="QueryServerAsync"/> for the flush loop's own thread.</summary>
    public string QueryServer(string sql, CancellationToken cancellationToken = default) =>
        QueryServerAsync(sql, cancellationToken).GetAwaiter().GetResult();

    /// <summary><see cref="InsertAsync"/> for the flush loop's own thread.</summary>
    public void Insert(string table, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken = default) =>
        InsertAsync(table, rows, cancellationToken).GetAwaiter().GetResult();

    public void Dispose() => _http.Dispose();

    private string Uri(params string[] pairs)
    {
        // wait_end_of_query: the server buffers the answer, so an error mid-query is a status, not a 200 with the
        // error appended to half an answer. max_execution_time: the server gives up when we do.
        var query = new StringBuilder("/?wait_end_of_query=1&max_execution_time=");
        query.Append(Math.Max(1, (int)Math.Ceiling(_timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            query.Append('&').Append(pairs[i]).Append('=').Append(System.Uri.EscapeDataString(pairs[i + 1]));
        }

        return query.ToString();
    }

    private async Task<string> SendAsync(string uri, HttpContent content, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Add("X-ClickHouse-User", _endpoint.User);
        if (_endpoint.Password is { } password)
        {
            request.Headers.Add("X-ClickHouse-Key", password);
        }

        content.Headers.ContentType ??= new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? body : throw ClickHouseErrors.Parse((int)response.StatusCode, body, what);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClickHouseException($"ClickHouse did not answer {what} within {_timeout.TotalSeconds:0.#} s", null, null, null, StorageFault.Busy, e);
        }
        catch (HttpRequestException e) when (e.InnerException is not ClickHouseException)
        {
            // Refused, reset, a TLS failure, or an answer over MaxResponseBytes: nothing the request's values did.
            throw new ClickHouseException($"ClickHouse at {_endpoint.BaseAddress} failed {what}: {e.Message}", null, null, (int?)e.StatusCode, StorageFault.Io, e);
        }
    }
}

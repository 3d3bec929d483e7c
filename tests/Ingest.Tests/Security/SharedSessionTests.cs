using System.Net;
using Ingest.Tests.ClickHouse;

namespace Ingest.Tests.Security;

/// <summary>
/// Behind one Service the instances sharing a ClickHouse store are interchangeable for users too (issue 26): the
/// keys that sign session cookies live in the store, so a session signed in on one instance is valid on another.
/// </summary>
public sealed class SharedSessionTests : IDisposable
{
    private readonly AuthTestServer _first = new();
    private readonly AuthTestServer _second = new();
    private readonly ClickHouseTestDatabase _store = new();

    [Fact]
    public async Task SessionSignedInOnOneInstance_ReadsInvocationsOnAnother_Issue26()
    {
        var store = ("Ingest:ClickHouse:Url", (string?)_store.Url);
        // One users file for both, as the same file (a Secret) is mounted on every instance; each its own folder.
        var users = _first.UsersFile();
        await using var a = _first.Serve(("Ingest:Auth:UsersFile", users), store);
        await using var b = _second.Serve(("Ingest:Auth:UsersFile", users), store);
        using var onA = AuthTestServer.Client(a);
        using var onB = AuthTestServer.Client(b);

        var cookie = await AuthTestServer.SignInAsync(onA);
        using var read = await onB.SendAsync(AuthTestServer.WithCookie(HttpMethod.Get, "/api/invocations", cookie));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var anonymous = await onB.GetAsync("/api/invocations");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode); // it is the cookie that lets the read in
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _store.Dispose();
    }
}

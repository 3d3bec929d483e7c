using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ingest.Tests.Support;

/// <summary>
/// An OpenID Connect issuer on a loopback port with a signing key made by the test: the discovery document, its
/// JWKS, and an authorize endpoint that only needs to exist. No outside network.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key;

    private TestIssuer(WebApplication app, RsaSecurityKey key, string authority)
    {
        _app = app;
        _key = key;
        Authority = authority;
    }

    public string Authority { get; }

    public static async Task<TestIssuer> StartAsync()
    {
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "test-key-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        string Authority() => app.Urls.First().TrimEnd('/');
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority(),
            ["jwks_uri"] = Authority() + "/jwks",
            ["authorization_endpoint"] = Authority() + "/authorize",
            ["token_endpoint"] = Authority() + "/token",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        app.MapGet("/authorize", () => Results.Text("the issuer's sign-in page"));
        await app.StartAsync();
        return new TestIssuer(app, key, Authority());
    }

    /// <summary>A signed access token; <paramref name="signWith"/> another key makes a forgery.</summary>
    public string Token(string audience, string email, IEnumerable<string>? groups = null, TimeSpan? lifetime = null, SecurityKey? signWith = null, string? issuer = null)
    {
        var claims = new Dictionary<string, object> { ["email"] = email, ["sub"] = email };
        if (groups is not null)
        {
            claims["groups"] = groups.ToArray();
        }

        // A validity window, not the data's time: the JWT handler checks lifetimes against the system clock, not
        // the host's TimeProvider (the auth tests pass with a fake clock days away from it).
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(10)),
            SigningCredentials = new SigningCredentials(signWith ?? _key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>
/// Believes <c>X-Forwarded-Proto</c> from the reverse proxies that terminate TLS in front of Ingest (an ingress, a
/// sidecar), so that the request's scheme is the browser's: the same-origin checks of sign-in and sign-out compare
/// <c>Origin: https://...</c> with it, and the session cookie is marked Secure. Without it, behind a TLS ingress every
/// sign-in answered 403. Only the scheme is taken: <c>X-Forwarded-For</c> is not, because <c>--auth-proxy-from</c>
/// trusts a user header by the connecting proxy's own address.
/// </summary>
public static class TrustedProxies
{
    /// <summary>Comma-separated addresses or CIDR ranges; default loopback only.</summary>
    public const string SettingKey = "Ingest:Http:TrustedProxies";

    /// <summary>The forwarded-headers options for <paramref name="configured"/>; throws with one line on a bad entry.</summary>
    public static ForwardedHeadersOptions Options(string? configured)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        if (string.IsNullOrWhiteSpace(configured))
        {
            return options; // ASP.NET Core's defaults: loopback only
        }

        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var entry in configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                throw new OptionsValidationException(SettingKey, typeof(ForwardedHeadersOptions),
                    [$"{SettingKey} (--trusted-proxies, environment Ingest__Http__TrustedProxies): '{entry}' is not an address or a CIDR range"]);
            }
        }

        return options;
    }
}

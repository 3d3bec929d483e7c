namespace Ingest.Security;

/// <summary>
/// Turns the options into <see cref="AuthSettings"/>; a bad combination is an <see cref="AuthConfigurationException"/>.
/// With no way to sign in configured, it makes the generated admin on first start.
/// </summary>
internal static class AuthSettingsResolver
{
    /// <summary>A year: the longest <c>--session-max-hours</c> taken.</summary>
    public const int MaxSessionHours = 24 * 365;

    /// <summary>Files a first start writes when no way to sign in is configured.</summary>
    public static (string Users, string Password) GeneratedFiles(string databasePath) => (databasePath + ".users", databasePath + ".admin-password");

    /// <summary>Checks the combination of settings and reads the files they name, once, at start.</summary>
    public static AuthSettings Resolve(AuthOptions options, string databasePath, TimeProvider time, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger("Ingest.Security");
        if (options.SessionMaxHours is < 1 or > MaxSessionHours)
        {
            throw new AuthConfigurationException($"--session-max-hours {options.SessionMaxHours}: a UI session lasts from 1 to {MaxSessionHours} hours");
        }

        string? token = null;
        if (options.IngestTokenFile is { } tokenFile)
        {
            if (!File.Exists(tokenFile))
            {
                throw new AuthConfigurationException($"--ingest-token-file {tokenFile} does not exist");
            }

            token = File.ReadAllText(tokenFile).Trim();
            if (token.Length < 16)
            {
                throw new AuthConfigurationException($"--ingest-token-file {tokenFile}: the token must be at least 16 characters (openssl rand -hex 32)");
            }
        }

        if (options.Disabled)
        {
            return Settings(options, null, token, time);
        }

        if (options.HttpIngest && token is null)
        {
            throw new AuthConfigurationException("--http-ingest needs --ingest-token-file (the bearer token senders present), or --no-auth");
        }

        if (options.OidcConfigured && (string.IsNullOrWhiteSpace(options.OidcClientId) || (string.IsNullOrWhiteSpace(options.OidcAllowedGroups) && string.IsNullOrWhiteSpace(options.OidcAllowedEmails))))
        {
            throw new AuthConfigurationException("--oidc-authority needs --oidc-client-id and at least one of --oidc-allowed-groups, --oidc-allowed-emails");
        }

        if (options.ProxyConfigured && string.IsNullOrWhiteSpace(options.ProxyFrom))
        {
            throw new AuthConfigurationException("--auth-proxy-header needs --auth-proxy-from: the proxy addresses the header is trusted from");
        }

        var usersFile = options.UsersFile;
        if (usersFile is null && !options.OidcConfigured && !options.ProxyConfigured)
        {
            var (users, passwordFile) = GeneratedFiles(Path.GetFullPath(databasePath));
            if (HtpasswdUsers.EnsureGenerated(users, passwordFile) is { } password)
            {
                SecurityLog.GeneratedAdmin(log, password, passwordFile, users);
            }
            else
            {
                SecurityLog.UsingGenerated(log, users, passwordFile);
            }

            usersFile = users;
        }

        HtpasswdUsers? htpasswd = null;
        if (usersFile is not null)
        {
            try
            {
                htpasswd = new HtpasswdUsers(usersFile, time);
            }
            catch (InvalidOperationException e)
            {
                throw new AuthConfigurationException(e.Message);
            }
        }

        return Settings(options, htpasswd, token, time);
    }

    private static AuthSettings Settings(AuthOptions options, HtpasswdUsers? users, string? token, TimeProvider time)
    {
        try
        {
            return new AuthSettings(options, users, token, time);
        }
        catch (FormatException e)
        {
            throw new AuthConfigurationException($"--auth-proxy-from: {e.Message}");
        }
    }
}

using Ingest.Accounting;


namespace Ingest.Security;

/// <summary>
/// The log messages of access control, source-generated. 4xxx: Log holds 1xxx (pipeline), 2xxx
/// (sources) and 3xxx (storage).
/// </summary>
internal static partial class SecurityLog
{
    [LoggerMessage(4001, LogLevel.Warning, "--no-auth: task data and event writes are open to anyone who can reach {Address}")]
    public static partial void OpenOnNetwork(ILogger logger, string address);

    // The README sends a first-time user to the log for this password: it is printed here, once, when it is made.
    [LoggerMessage(4002, LogLevel.Warning, "No way to sign in was configured: created user 'admin' with the generated password {Password}, kept in {PasswordFile} (users in {UsersFile}; pass --users-file to use your own)")]
    public static partial void GeneratedAdmin(ILogger logger, string password, string passwordFile, string usersFile);

    [LoggerMessage(4003, LogLevel.Information, "Signing in with the users in {UsersFile} (the generated admin password is in {PasswordFile})")]
    public static partial void UsingGenerated(ILogger logger, string usersFile, string passwordFile);

    [LoggerMessage(4004, LogLevel.Information, "A session of {User} was refused: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string user, string reason);
}

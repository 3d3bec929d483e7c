using System.Security.Cryptography;
using System.Text;

namespace Ingest.Security;

/// <summary>
/// Local users from an htpasswd file of bcrypt hashes, the format nginx, Traefik and oauth2-proxy read
/// (<c>htpasswd -B</c>). The file is read again when it changes (a rotated Kubernetes Secret), looked at no more
/// than every few seconds. A bcrypt check costs tens of milliseconds by design, so a script that sends the same
/// Basic credential on every call is checked once: a keyed hash of the pair (never the password) is remembered,
/// for a few minutes, in a capped map.
/// </summary>
public sealed class HtpasswdUsers
{
    public const int MaxRemembered = 1024;

    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    /// <summary>How often, at most, the file is looked at again: the longest a removed user or an old password lives on.</summary>
    public static readonly TimeSpan RecheckFileEvery = TimeSpan.FromSeconds(5);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _remembered = new(StringComparer.Ordinal);
    private readonly Queue<string> _rememberedOrder = new();
    private Dictionary<string, string> _hashes;
    private DateTime _fileWrittenAt;
    private long _lastFileCheck;

    public HtpasswdUsers(string path, TimeProvider time)
    {
        _path = path;
        _time = time;
        _hashes = Parse(path, out var written);
        _fileWrittenAt = written;
        _lastFileCheck = time.GetTimestamp();
    }

    public int Count => _hashes.Count;

    /// <summary>bcrypt verifications run (the costly ones); remembered pairs do not add to it.</summary>
    public long BcryptChecks => Interlocked.Read(ref _bcryptChecks);

    private long _bcryptChecks;

    /// <summary>Reads a file; a line that is not <c>user:bcrypt-hash</c> is an error naming the line.</summary>
    public static Dictionary<string, string> Parse(string path, out DateTime writtenAt)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"users file {path} does not exist (create it with: htpasswd -B -c {path} USER)");
        }

        writtenAt = File.GetLastWriteTimeUtc(path);
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidOperationException($"users file {path}, line {number}: expected USER:HASH");
            }

            var hash = line[(colon + 1)..];
            if (!(hash.StartsWith("$2y$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal) || hash.StartsWith("$2a$", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"users file {path}, line {number}: only bcrypt hashes are accepted (htpasswd -B); MD5, SHA1 and crypt are too weak");
            }

            users[line[..colon]] = hash;
        }

        return users;
    }

    /// <summary>True when this pair was verified in the last <see cref="RememberFor"/>: no bcrypt check, nothing learnt by a guesser.</summary>
    public bool IsRemembered(string user, string password)
    {
        var remembered = Fingerprint(user, password);
        lock (_lock)
        {
            return _remembered.TryGetValue(remembered, out var until) && _time.GetTimestamp() < until && _hashes.ContainsKey(user);
        }
    }

    /// <summary>True when the user exists and the password matches its hash.</summary>
    public bool Verify(string user, string password)
    {
        ReloadIfChanged();
        var remembered = Fingerprint(user, password);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_remembered.TryGetValue(remembered, out var until) && now < until && _hashes.ContainsKey(user))
            {
                return true;
            }
        }

        if (!_hashes.TryGetValue(user, out var hash))
        {
            // The same work as a wrong password, so a missing user cannot be told from a wrong password by timing.
            BCrypt.Net.BCrypt.Verify(password, DummyHash);
            return false;
        }

        bool ok;
        Interlocked.Increment(ref _bcryptChecks);
        try
        {
            ok = BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            ok = false;
        }

        if (ok)
        {
            lock (_lock)
            {
                var until = now + (long)(RememberFor.TotalSeconds * _time.TimestampFrequency);
                if (!_remembered.TryAdd(remembered, until))
                {
                    // Expired and checked again: renewed in place, keeping its one place in the eviction order.
                    _remembered[remembered] = until;
                }
                else
                {
                    _rememberedOrder.Enqueue(remembered);
                    if (_remembered.Count > MaxRemembered && _rememberedOrder.TryDequeue(out var oldest))
                    {
                        _remembered.Remove(oldest);
                    }
                }
            }
        }

        return ok;
    }

    /// <summary>
    /// What a session signed in with this user's password carries (issue 24): a hash of the user's line, which
    /// changes with the password; null when the user is no longer in the file. The file is read again first if it
    /// changed, so a session checked against this ends within <see cref="RecheckFileEvery"/> of the edit. Unkeyed,
    /// so sessions outlive a restart; the bcrypt hash it is made from cannot be read back out of it.
    /// </summary>
    public string? CredentialStamp(string user)
    {
        ReloadIfChanged();
        var hashes = _hashes;
        return hashes.TryGetValue(user, out var hash)
            ? Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(user + ":" + hash)).AsSpan(0, 16))
            : null;
    }

    private static readonly string DummyHash = BCrypt.Net.BCrypt.HashPassword("not a password", 10);

    private string Fingerprint(string user, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(user + "\0" + password)));

    private void ReloadIfChanged()
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Interlocked.Read(ref _lastFileCheck)) < RecheckFileEvery)
        {
            return;
        }

        Interlocked.Exchange(ref _lastFileCheck, now);
        try
        {
            if (File.GetLastWriteTimeUtc(_path) == _fileWrittenAt)
            {
                return;
            }

            var users = Parse(_path, out var written);
            lock (_lock)
            {
                _hashes = users;
                _fileWrittenAt = written;
                // A removed user or a changed password must not live on in the remembered checks.
                _remembered.Clear();
                _rememberedOrder.Clear();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // A half-written or broken file keeps the users last read; the next look tries again.
        }
    }

    /// <summary>
    /// With no way to sign in configured: a users file beside the database with <c>admin</c> and a generated
    /// password, the password in a second file readable by the owner only; a missing folder is created, owner
    /// only. Returns the password when it was created now, null when the files were already there.
    /// </summary>
    public static string? EnsureGenerated(string usersPath, string passwordPath)
    {
        if (File.Exists(usersPath))
        {
            return null;
        }

        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
        var hash = BCrypt.Net.BCrypt.HashPassword(password, 11);
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        // A fresh clone has no data/ folder yet and this runs before storage creates it (issue 23: the first
        // `dotnet run` died with DirectoryNotFoundException); a folder made here holds a password, so owner only.
        CreatePrivateFolder(passwordPath);
        CreatePrivateFolder(usersPath);
        WritePrivate(passwordPath, password + "\n", owner);
        WritePrivate(usersPath, $"admin:{hash}\n", owner);
        return password;
    }

    private static void CreatePrivateFolder(string filePath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(filePath));
        if (folder is null || Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void WritePrivate(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}

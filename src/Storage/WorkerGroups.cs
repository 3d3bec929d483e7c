using System.Text.RegularExpressions;

namespace Ingest.Storage;

/// <summary>
/// The worker group of a Celery node name: the deployment a pod belongs to, so a fleet of hundreds of pods reads
/// as a handful of groups. By default the node prefix (<c>celery@</c>), a Kubernetes ReplicaSet and pod suffix
/// (<c>-7f9c8d6b5-x2k4p</c>), a StatefulSet ordinal (<c>-3</c>) and a process number (<c>.2</c>) are stripped:
/// <c>celery@orders-worker-7f9c8d6b5-x2k4p</c> gives <c>orders-worker</c>. With a pattern, its first capture group
/// (or its whole match) is the group, and a name it does not match is its own group. Thread-safe.
/// </summary>
public sealed partial class WorkerGroups
{
    public static readonly WorkerGroups Default = new(null);

    private readonly Regex? _pattern;

    public WorkerGroups(string? pattern)
    {
        _pattern = string.IsNullOrWhiteSpace(pattern) ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Whether <paramref name="other"/> groups every worker as this one does (the same pattern, or both the default).</summary>
    internal bool GroupsLike(WorkerGroups other) =>
        ReferenceEquals(this, other) || string.Equals(_pattern?.ToString(), other._pattern?.ToString(), StringComparison.Ordinal);

    /// <summary>The group of <paramref name="worker"/>; empty for an unknown worker.</summary>
    public string Of(string? worker)
    {
        if (string.IsNullOrEmpty(worker))
        {
            return "";
        }

        if (_pattern is not null)
        {
            try
            {
                var m = _pattern.Match(worker);
                return !m.Success ? worker : m.Groups.Count > 1 && m.Groups[1].Success ? m.Groups[1].Value : m.Value;
            }
            catch (RegexMatchTimeoutException)
            {
                return worker;
            }
        }

        var at = worker.IndexOf('@', StringComparison.Ordinal);
        var host = at < 0 ? worker : worker[(at + 1)..];
        var stripped = PodSuffix().Replace(host, "");
        if (stripped == host)
        {
            stripped = OrdinalSuffix().Replace(host, "");
        }

        return stripped.Length == 0 ? host : stripped;
    }

    // ReplicaSet pods: -<pod-template-hash>-<5 chars>; Deployments on some versions concatenate the two; a
    // StatefulSet or a process: -3, .3. A hash is told from a word by holding a digit.
    [GeneratedRegex(@"(-(?=[a-z0-9]*\d)[a-z0-9]{6,10}-[a-z0-9]{5}|-(?=[a-z0-9]*\d)[a-z0-9]{11,16})$", RegexOptions.CultureInvariant)]
    private static partial Regex PodSuffix();

    [GeneratedRegex(@"[-.]\d{1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalSuffix();
}

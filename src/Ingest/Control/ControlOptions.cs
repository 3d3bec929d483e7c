using System.ComponentModel.DataAnnotations;

namespace Ingest.Control;

/// <summary>Celery's remote control (issue 27): deadlines, caps and the commands Ingest refuses by default.</summary>
public sealed class ControlOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string Section = "Ingest:Control";

    /// <summary>
    /// How long replies are collected (<c>--control-timeout-s</c>). Default 1 s, the deadline Flower and
    /// <c>celery inspect</c> use; range 0.1 s to 60 s. A busy worker answers between tasks' bookkeeping, so a fleet on
    /// a slow network may need more.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether <c>shutdown</c> may be sent (<c>--allow-shutdown</c>). Default false: a stopped worker does not come back
    /// by itself, and one click would take a fleet down.
    /// </summary>
    public bool AllowShutdown { get; set; }

    /// <summary>
    /// Celery's <c>control_exchange</c> setting: commands go to <c>{Namespace}.pidbox</c>, replies come back on
    /// <c>reply.{Namespace}.pidbox</c>. Default <c>celery</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,100}$", ErrorMessage = "the control namespace is 1 to 100 letters, digits or _ . : -")]
    public string Namespace { get; set; } = "celery";

    /// <summary>Most replies kept for one command; more are dropped oldest-first and counted. Default 1000, range 1 to 100,000.</summary>
    [Range(1, 100_000)]
    public int MaxReplies { get; set; } = 1000;

    /// <summary>
    /// Most bytes of reply bodies kept for one command (a <c>registered</c> or <c>conf</c> reply from a large fleet is
    /// big); more are dropped oldest-first and counted. Default 8 MiB, range 64 KiB to 256 MiB.
    /// </summary>
    [Range(64L * 1024, 256L * 1024 * 1024)]
    public long MaxReplyBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>The exchange commands are broadcast on.</summary>
    public string Exchange => Namespace + ".pidbox";

    /// <summary>The direct exchange workers send replies to.</summary>
    public string ReplyExchange => "reply." + Namespace + ".pidbox";
}

namespace Ingest.Control;

/// <summary>Whether a command changes a worker or only asks it something.</summary>
public enum ControlKind
{
    /// <summary>Changes a worker (revoke, limits, pool, consumers, shutdown): audited, needs the control role.</summary>
    Control,

    /// <summary>Reads a worker's state (ping, active, stats, ...).</summary>
    Inspect,
}

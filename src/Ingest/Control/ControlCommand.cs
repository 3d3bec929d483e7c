namespace Ingest.Control;

/// <summary>One entry of <see cref="ControlCommands"/>: a Celery remote-control method and how Ingest sends it.</summary>
/// <param name="Name">Celery's method name, e.g. <c>rate_limit</c>.</param>
/// <param name="Kind">Whether it changes a worker or reads it.</param>
/// <param name="Summary">What it does to a fleet, in a sentence (README, UI).</param>
/// <param name="ExpectReply">False when the worker never answers (shutdown exits before replying).</param>
/// <param name="MinimumTimeout">A floor under the configured deadline for commands workers answer slowly.</param>
public sealed record ControlCommand(string Name, ControlKind Kind, string Summary, bool ExpectReply = true, TimeSpan MinimumTimeout = default);

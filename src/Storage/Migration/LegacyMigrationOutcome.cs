namespace Ingest.Storage.Migration;

/// <summary>What the first boot found and did about a pre-partition database.</summary>
public enum LegacyMigrationOutcome
{
    /// <summary>No pre-partition tables.</summary>
    None,

    /// <summary><c>invocations</c>/<c>invocation_details</c> renamed to <c>*_legacy</c> just now.</summary>
    Renamed,

    /// <summary>Both <c>invocations</c> and <c>invocations_legacy</c> exist: left alone, reported.</summary>
    Conflict,
}

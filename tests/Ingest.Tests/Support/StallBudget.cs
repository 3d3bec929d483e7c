namespace Ingest.Tests.Support;

/// <summary>
/// Tests that bound how long the flush loop may stall run alone: with the suite's other hosts, brokers and
/// ClickHouse on two cores, a scheduler or fsync delay of a few hundred milliseconds is the machine's, not the
/// loop's. Alone, the bound they assert stays tight enough to catch the step that is not bounded at all.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StallBudget
{
    public const string Name = "stall budget";
}

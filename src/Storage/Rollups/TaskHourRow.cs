namespace Ingest.Storage.Rollups;

/// <summary>One task name's figures for one hour, as the flush loop rolled them up.</summary>
public sealed record TaskHourRow(string Name, long Hour, long Total, IReadOnlyList<long> States, long RuntimeCount, double RuntimeSum, byte[]? Runtimes)
{
    public long Count(string state) => TaskStates.IndexOf(state) is var i and >= 0 ? States[i] : 0;
}

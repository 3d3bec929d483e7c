using Ingest.Tracking;

namespace Ingest.Insights.Objectives;

/// <summary>
/// The objectives of <c>--objectives FILE</c>, in file order: a task belongs to the first objective that covers it,
/// so one run counts against one objective. Empty when no file is given.
/// </summary>
public sealed class ObjectiveSet(IReadOnlyList<TaskObjective> objectives)
{
    /// <summary>
    /// Objectives one file may hold: each is up to four series (success and latency, good and bad) and three alerts,
    /// so 100 is at most 400 series; more is refused at start.
    /// </summary>
    public const int MaxObjectives = 100;

    /// <summary>No objectives.</summary>
    public static ObjectiveSet Empty { get; } = new([]);

    public IReadOnlyList<TaskObjective> Objectives => objectives;

    /// <summary>The objective covering <paramref name="taskName"/>: the first in the file that matches; null if none does.</summary>
    public TaskObjective? Match(string taskName)
    {
        foreach (var o in objectives)
        {
            if (o.Matches(taskName))
            {
                return o;
            }
        }

        return null;
    }

    /// <summary>What the SLI counters need, one per objective.</summary>
    public IReadOnlyList<ObjectiveSli> Slis() => [.. objectives.Select(o => o.Sli())];

    /// <summary>Reads and checks <paramref name="path"/>; throws <see cref="ObjectivesFileException"/> with one line if it cannot be used.</summary>
    public static ObjectiveSet Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectivesFileException($"{path}: cannot read it: {e.Message}");
        }

        return new ObjectiveSet(ObjectivesParser.Parse(text, path));
    }
}

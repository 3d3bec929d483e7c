namespace Ingest.Endpoints;

/// <summary>
/// The answer of <c>/api/objectives</c>: the range (whole hours), the objectives of the file, and each task they cover
/// with runs in its window, fastest burning first.
/// </summary>
public sealed record ObjectiveListView(string From, string To, IReadOnlyList<ObjectiveView> Objectives, IReadOnlyList<TaskBudgetView> Tasks);

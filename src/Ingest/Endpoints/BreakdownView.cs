using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>One queue's or worker group's figures over the range.</summary>
public sealed record BreakdownView(string Key, FiguresView Figures);

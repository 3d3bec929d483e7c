using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record FailureGroupView(string Name, string ExceptionType, long Count, string? FirstSeen, string? LastSeen, string? ExampleTaskId);

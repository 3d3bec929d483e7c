using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Ingest.Hosting;

/// <summary>The signed-in user (null with sign-in off) and whether sign-in is on.</summary>
public sealed record MeView(string? User, bool AuthEnabled);

using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using Ingest.Diagnostics;
using Ingest.Endpoints;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Ingest.Sources.Http;
using Ingest.Security;

namespace Ingest.Hosting;

/// <summary>The signed-in user (null with sign-in off) and whether sign-in is on.</summary>
public sealed record MeView(string? User, bool AuthEnabled);

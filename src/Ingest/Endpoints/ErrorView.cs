using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record ErrorView(string Error);

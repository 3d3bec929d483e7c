using Ingest.Storage;
using Ingest.Tracking;

namespace Ingest.Endpoints;

public sealed record WorkerListView(IReadOnlyList<WorkerView> Items);

using System.Text.Json;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// A control route's answer: Flower's <c>{"message": ...}</c>, and what Flower does not give, each worker's reply and
/// the workers that did not answer (so the console can show them).
/// </summary>
/// <param name="Message">Flower's message ("Revoked '...'", "Growing '...' worker's pool by 1", or "Failed to ...").</param>
/// <param name="Replies">Each worker's reply body, by worker.</param>
/// <param name="Missing">Workers expected to answer that did not.</param>
public sealed record FlowerControlView(string Message, IReadOnlyDictionary<string, JsonElement> Replies, IReadOnlyList<string> Missing);

using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>
/// One field identifying the items of a keyed list, with the value an item lacking it is keyed by (the schema's
/// default: a Service port without protocol is the TCP one, as structured-merge-diff keys it).
/// </summary>
public sealed record ListKey(string Name, JsonNode? Default = null);

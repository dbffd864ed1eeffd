using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>status.routing as the data plane reads it (camelCase, the shape of <see cref="Routing"/>).</summary>
public static class RoutingJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static JsonNode ToNode(Routing routing) => JsonSerializer.SerializeToNode(routing, Options)!;
}

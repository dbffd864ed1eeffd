using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Tests.Patching;

/// <summary>Terse JSON literals for patch tests.</summary>
internal static class Json
{
    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonArray Arr(string json) => JsonNode.Parse(json)!.AsArray();

    public static bool Same(string expected, JsonNode? actual) => JsonNode.DeepEquals(JsonNode.Parse(expected), actual);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Lenient field access: printers must never throw on partially filled objects.</summary>
internal static class JsonFields
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var key in path)
            node = node is JsonObject o && o.TryGetPropertyValue(key, out var next) ? next : null;
        return node;
    }

    public static string? Str(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static string StrOr(string fallback, JsonNode? node, params string[] path) =>
        Str(node, path) is { Length: > 0 } s ? s : fallback;

    public static long? Long(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? ParseLong(v.ToJsonString()) : null;

    /// <summary>Integers exactly; fractional values truncate like Go's int64(float64).</summary>
    public static long? ParseLong(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (long)d
        : null;

    public static bool? Bool(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static IEnumerable<JsonNode?> Items(JsonNode? node, params string[] path) =>
        At(node, path) as JsonArray ?? [];

    public static IEnumerable<KeyValuePair<string, JsonNode?>> Props(JsonNode? node, params string[] path) =>
        At(node, path) as JsonObject ?? [];

    public static int Count(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ => 0,
    };

    /// <summary>Scalars as Go's fmt would print them, composites as compact JSON (jsonpath PrintResults).</summary>
    public static string ToText(JsonNode node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? v.GetValue<string>()
        : node.ToJsonString();
}

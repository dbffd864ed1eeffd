using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Storage;

/// <summary>Helpers for treating JSON trees as immutable values shared between threads.</summary>
public static class JsonTree
{
    /// <summary>
    /// Clones a tree and forces every lazily parsed node to build its children, so that concurrent readers
    /// of the published copy never race on first access.
    /// </summary>
    public static JsonObject Freeze(JsonObject source)
    {
        // A parsed copy is backed by JSON elements, so numbers read back as any numeric type
        // (a value built in code as int would refuse GetValue<long>()).
        var copy = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(source))!.AsObject();
        Materialize(copy);
        return copy;
    }

    public static JsonObject Clone(JsonObject source) => source.DeepClone().AsObject();

    public static bool DeepEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    public static JsonObject EnsureObject(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    public static string? GetString(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = current is JsonObject obj ? obj[segment] : null;
        }

        return current is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
    }

    public static long? GetInt64(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = current is JsonObject obj ? obj[segment] : null;
        }

        return AsInt64(current);
    }

    /// <summary>Reads any JSON number as a long, whatever CLR type the node was built from.</summary>
    public static long? AsInt64(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? (long)double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>Reads any JSON number as a double, whatever CLR type the node was built from.</summary>
    public static double? AsDouble(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj)
                {
                    Materialize(property.Value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Materialize(item);
                }

                break;
        }
    }
}

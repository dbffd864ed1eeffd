using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>
/// The uniqueness a CRD schema's x-kubernetes-list-type asks of a list, checked and worded as apiextensions'
/// listtype validation does: a set holds each value once, a map each key (its x-kubernetes-list-map-keys) once.
/// </summary>
public static class ListTypeRules
{
    public static IEnumerable<(string Field, string Message)> Validate(JsonArray array, JsonObject schema, string path)
    {
        var listType = schema["x-kubernetes-list-type"] is JsonValue t && t.TryGetValue<string>(out var type) ? type : null;
        switch (listType)
        {
            case "set":
                return Duplicates(array.ToList(), path);
            case "map":
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not (null or JsonObject))
                    {
                        return [($"{path}[{i}]", $"Invalid value: {Value(array[i])}: must be an object for an array of list-type map")];
                    }
                }

                var keys = (schema["x-kubernetes-list-map-keys"] as JsonArray ?? [])
                    .Select(k => k is JsonValue v && v.TryGetValue<string>(out var name) ? name : null).OfType<string>().ToList();
                return Duplicates(array.Select(item => (JsonNode?)Key(item as JsonObject, keys)).ToList(), path);
            default:
                return [];
        }
    }

    // An item's key: the key fields it has (a missing one is left out), keys sorted as Go marshals a map.
    private static JsonObject Key(JsonObject? item, List<string> keys)
    {
        var key = new JsonObject();
        foreach (var name in keys.Order(StringComparer.Ordinal))
        {
            if (item is not null && item.ContainsKey(name))
            {
                key[name] = item[name]?.DeepClone();
            }
        }

        return key;
    }

    // The second occurrence of each repeated value is reported, once.
    private static List<(string, string)> Duplicates(List<JsonNode?> values, string path)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var causes = new List<(string, string)>();
        for (var i = 0; i < values.Count; i++)
        {
            var encoded = values[i]?.ToJsonString() ?? "null";
            var times = seen.GetValueOrDefault(encoded);
            seen[encoded] = times + 1;
            if (times == 1)
            {
                causes.Add(($"{path}[{i}]", $"Duplicate value: {Value(values[i])}"));
            }
        }

        return causes;
    }

    // field.Error's wording of a value: strings quoted, numbers and booleans bare, anything else as JSON.
    private static string Value(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => $"\"{v.GetValue<string>().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"",
        _ => value.ToJsonString(),
    };
}

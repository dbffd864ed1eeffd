using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>RFC 6902 JSON patch (application/json-patch+json).</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        JsonNode? document = target.DeepClone();
        foreach (var node in operations)
        {
            if (node is not JsonObject operation)
            {
                throw new PatchException("JSON patch operations must be objects");
            }

            document = ApplyOne(document, operation);
        }

        return document ?? throw new PatchException("JSON patch produced a null document");
    }

    private static JsonNode? ApplyOne(JsonNode? document, JsonObject operation)
    {
        var op = RequiredString(operation, "op");
        var path = JsonPointer.Parse(RequiredString(operation, "path"));
        switch (op)
        {
            case "add":
                return Add(document, path, RequiredValue(operation));
            case "remove":
                Remove(document, path);
                return document;
            case "replace":
                var value = RequiredValue(operation);
                Get(document, path);
                if (path.Length == 0)
                {
                    return value;
                }

                Remove(document, path);
                return Add(document, path, value);
            case "move":
                var from = JsonPointer.Parse(RequiredString(operation, "from"));
                if (from.Length < path.Length && from.SequenceEqual(path.Take(from.Length)))
                {
                    throw new PatchException("JSON patch cannot move a value into one of its children");
                }

                var moved = Get(document, from)?.DeepClone();
                if (from.Length == 0)
                {
                    return moved;
                }

                Remove(document, from);
                return Add(document, path, moved);
            case "copy":
                var copied = Get(document, JsonPointer.Parse(RequiredString(operation, "from")))?.DeepClone();
                return Add(document, path, copied);
            case "test":
                var expected = RequiredValue(operation);
                if (!JsonNode.DeepEquals(Get(document, path), expected))
                {
                    throw new PatchException($"JSON patch test failed at \"{RequiredString(operation, "path")}\"");
                }

                return document;
            default:
                throw new PatchException($"unsupported JSON patch operation \"{op}\"");
        }
    }

    private static JsonNode? Add(JsonNode? document, string[] path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var token = path[^1];
        switch (Parent(document, path))
        {
            case JsonObject obj:
                obj[token] = value;
                break;
            case JsonArray array:
                if (token == "-")
                {
                    array.Add(value);
                }
                else if (JsonPointer.TryParseIndex(token, out var index) && index <= array.Count)
                {
                    array.Insert(index, value);
                }
                else
                {
                    throw new PatchException($"JSON patch array index \"{token}\" is out of range");
                }

                break;
        }

        return document;
    }

    private static void Remove(JsonNode? document, string[] path)
    {
        if (path.Length == 0)
        {
            throw new PatchException("JSON patch cannot remove the document root");
        }

        var token = path[^1];
        var removed = Parent(document, path) switch
        {
            JsonObject obj => obj.Remove(token),
            JsonArray array when JsonPointer.TryParseIndex(token, out var index) && index < array.Count
                => RemoveAt(array, index),
            _ => false,
        };
        if (!removed)
        {
            throw new PatchException($"JSON patch path \"/{string.Join('/', path)}\" does not exist");
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }

    private static JsonNode Parent(JsonNode? document, string[] path)
    {
        if (JsonPointer.TryGet(document, path[..^1], out var parent) && parent is JsonObject or JsonArray)
        {
            return parent;
        }

        throw new PatchException($"JSON patch path \"/{string.Join('/', path)}\" has no parent container");
    }

    private static JsonNode? Get(JsonNode? document, string[] path) =>
        JsonPointer.TryGet(document, path, out var value)
            ? value
            : throw new PatchException($"JSON patch path \"/{string.Join('/', path)}\" does not exist");

    private static string RequiredString(JsonObject operation, string name) =>
        operation[name] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new PatchException($"JSON patch operation is missing \"{name}\"");

    // The value member may legitimately be JSON null, so presence is checked separately.
    private static JsonNode? RequiredValue(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value?.DeepClone()
            : throw new PatchException("JSON patch operation is missing \"value\"");
}

using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>Maps between objects and <see cref="FieldSet"/> paths: collecting, reading and removing fields.</summary>
internal static class ObjectFields
{
    private const int NotFound = -2;

    // Identity and server-maintained metadata is never owned (mirrors the apiserver's stripped set).
    private static readonly HashSet<string> UnmanagedMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
    };

    /// <summary>All owned-able paths of <paramref name="obj"/>; only status for the status subresource.</summary>
    public static FieldSet Collect(JsonObject obj, PatchSchema schema, bool status)
    {
        var set = new FieldSet();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || (key == "status") != status)
            {
                continue;
            }

            Walk(value, ["f:" + key], key, schema, set);
        }

        return set;
    }

    /// <summary>
    /// Writes the default of every list key an item of <paramref name="node"/> lacks (a Service port without protocol
    /// is the TCP one), so the applied item matches, and is compared with, the live item it keys to.
    /// </summary>
    public static void FillKeyDefaults(JsonNode? node, string schemaPath, PatchSchema schema)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    FillKeyDefaults(value, schemaPath.Length == 0 ? key : $"{schemaPath}.{key}", schema);
                }

                break;
            case JsonArray list:
                var rule = schema.TryGetList(schemaPath, out var r) ? r : null;
                foreach (var item in list)
                {
                    if (item is JsonObject obj && rule is not null)
                    {
                        foreach (var key in rule.Keys.Where(k => k.Default is not null && obj[k.Name] is null))
                        {
                            obj[key.Name] = key.Default!.DeepClone();
                        }
                    }

                    FillKeyDefaults(item, schemaPath + "[]", schema);
                }

                break;
        }
    }

    /// <summary>The parts of an applied configuration the status subresource takes: its status alone.</summary>
    public static JsonObject StatusOnly(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var key in new[] { "apiVersion", "kind", "status" })
        {
            if (obj[key] is { } value)
            {
                copy[key] = value.DeepClone();
            }
        }

        if (obj["metadata"] is JsonObject metadata)
        {
            var identity = new JsonObject();
            foreach (var key in new[] { "name", "namespace" })
            {
                if (metadata[key] is { } value)
                {
                    identity[key] = value.DeepClone();
                }
            }

            copy["metadata"] = identity;
        }

        return copy;
    }

    /// <summary>Removes server-maintained fields a client must not set through apply.</summary>
    public static JsonObject WithoutUnmanaged(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var key in UnmanagedMetadata.Where(k => k is not ("name" or "namespace")))
            {
                metadata.Remove(key);
            }
        }

        return copy;
    }

    /// <summary>True when the path exists in both objects with the same value (list items compare by presence).</summary>
    public static bool SameValue(JsonObject? left, JsonObject right, string path)
    {
        var elements = FieldSet.Split(path);
        if (!TryGet(left, elements, out var a) | !TryGet(right, elements, out var b))
        {
            return false;
        }

        return elements[^1].StartsWith("f:", StringComparison.Ordinal) ? JsonNode.DeepEquals(a, b) : true;
    }

    public static bool TryGet(JsonNode? root, IEnumerable<string> elements, out JsonNode? value)
    {
        value = root;
        foreach (var element in elements)
        {
            var index = IndexOf(value, element);
            if (index == NotFound)
            {
                value = null;
                return false;
            }

            value = value is JsonObject o ? o[element[2..]] : value![index];
        }

        return true;
    }

    /// <summary>Removes the field, then any parent maps it leaves empty that nobody owns.</summary>
    public static void Remove(JsonObject root, string path, Func<string, bool> isOwned)
    {
        var elements = FieldSet.Split(path);
        if (IsMergeKeyOfItem(elements))
        {
            // The item stays (or goes as a whole); dropping its key alone would orphan it.
            return;
        }

        for (var depth = elements.Length; depth > 0; depth--)
        {
            if (!TryGet(root, elements[..(depth - 1)], out var parent))
            {
                return;
            }

            if (depth < elements.Length
                && (!TryGet(parent, [elements[depth - 1]], out var child) || child is not JsonObject { Count: 0 }
                    || isOwned(FieldSet.Join(elements[..depth]))))
            {
                return;
            }

            var index = IndexOf(parent, elements[depth - 1]);
            if (parent is JsonObject map)
            {
                map.Remove(elements[depth - 1][2..]);
            }
            else if (index != NotFound)
            {
                ((JsonArray)parent!).RemoveAt(index);
            }
        }
    }

    private static bool IsMergeKeyOfItem(string[] elements) =>
        elements.Length > 1 && elements[^1].StartsWith("f:", StringComparison.Ordinal)
        && elements[^2].StartsWith("k:", StringComparison.Ordinal)
        && JsonNode.Parse(elements[^2][2..])!.AsObject().ContainsKey(elements[^1][2..]);

    // Position of a path element inside a node: -1 for a present map field, list index for items.
    private static int IndexOf(JsonNode? node, string element)
    {
        switch (element[..2], node)
        {
            case ("f:", JsonObject map):
                return map.ContainsKey(element[2..]) ? -1 : NotFound;
            case ("k:", JsonArray list):
                var key = JsonNode.Parse(element[2..])!.AsObject();
                return Find(list, item => item is JsonObject o && key.All(p => JsonNode.DeepEquals(o[p.Key], p.Value)));
            case ("v:", JsonArray list):
                var value = JsonNode.Parse(element[2..]);
                return Find(list, item => JsonNode.DeepEquals(item, value));
            case ("i:", JsonArray list):
                return int.TryParse(element[2..], out var i) && i >= 0 && i < list.Count ? i : NotFound;
            default:
                return NotFound;
        }
    }

    private static int Find(JsonArray list, Func<JsonNode?, bool> predicate)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (predicate(list[i]))
            {
                return i;
            }
        }

        return NotFound;
    }

    private static void Walk(JsonNode? node, List<string> prefix, string schemaPath, PatchSchema schema, FieldSet set)
    {
        if (node is JsonObject { Count: > 0 } map)
        {
            foreach (var (key, value) in map)
            {
                if (schemaPath == "metadata" && UnmanagedMetadata.Contains(key))
                {
                    continue;
                }

                prefix.Add("f:" + key);
                Walk(value, prefix, $"{schemaPath}.{key}", schema, set);
                prefix.RemoveAt(prefix.Count - 1);
            }

            return;
        }

        if (node is JsonArray { Count: > 0 } list && schema.TryGetList(schemaPath, out var rule)
            && (rule.IsSet || list.All(i => rule.KeyOf(i) is not null)))
        {
            foreach (var item in list)
            {
                var element = rule.IsSet ? "v:" + FieldSet.Encode(item) : "k:" + FieldSet.Encode(rule.KeyOf(item));
                prefix.Add(element);
                set.Add(FieldSet.Join(prefix));
                if (!rule.IsSet)
                {
                    Walk(item, prefix, schemaPath + "[]", schema, set);
                }

                prefix.RemoveAt(prefix.Count - 1);
            }

            return;
        }

        // Scalars, empty maps and atomic lists are owned as a whole.
        set.Add(FieldSet.Join(prefix));
    }
}

using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>Kubernetes strategic merge patch (application/strategic-merge-patch+json).</summary>
public static class StrategicMergePatch
{
    private const string PatchDirective = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string SetElementOrder = "$setElementOrder/";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject original, JsonObject patch, string apiVersion, string kind) =>
        Merge(original.DeepClone().AsObject(), patch, PatchSchema.For(apiVersion, kind));

    /// <summary>Merges <paramref name="patch"/> into <paramref name="target"/> in place (target must be owned).</summary>
    internal static JsonObject Merge(JsonObject target, JsonObject patch, PatchSchema schema) =>
        MergeObject(target, patch, string.Empty, schema) ?? [];

    internal static bool IsDirective(string key) =>
        key is PatchDirective or RetainKeys
        || key.StartsWith(SetElementOrder, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal);

    // Returns null when the patch deletes the map itself.
    private static JsonObject? MergeObject(JsonObject target, JsonObject patch, string path, PatchSchema schema)
    {
        switch (Directive(patch))
        {
            case "delete":
                return null;
            case "replace":
                return (JsonObject)StripDirectives(patch)!;
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal)
                && target[key[DeleteFromPrimitiveList.Length..]] is JsonArray list && value is JsonArray doomed)
            {
                RemoveWhere(list, item => doomed.Any(d => JsonNode.DeepEquals(d, item)));
            }
        }

        foreach (var (key, value) in patch)
        {
            if (IsDirective(key))
            {
                continue;
            }

            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            JsonNode? merged = value switch
            {
                null => null,
                JsonObject child => MergeObject(target[key] as JsonObject ?? [], child, childPath, schema),
                JsonArray items => MergeList(target[key] as JsonArray, items, childPath, schema),
                _ => value.DeepClone(),
            };
            if (merged is null)
            {
                target.Remove(key);
            }
            else if (!ReferenceEquals(target[key], merged))
            {
                target[key] = merged;
            }
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(SetElementOrder, StringComparison.Ordinal) && value is JsonArray order)
            {
                var field = key[SetElementOrder.Length..];
                if (target[field] is JsonArray current && schema.TryGetList($"{(path.Length == 0 ? field : $"{path}.{field}")}", out var rule))
                {
                    target[field] = Reorder(current, order, rule);
                }
            }
        }

        if (patch[RetainKeys] is JsonArray retain)
        {
            var keep = retain.Select(k => k is JsonValue v && v.TryGetValue<string>(out var name)
                ? name
                : throw new PatchException("$retainKeys must list field names")).ToHashSet(StringComparer.Ordinal);
            foreach (var key in target.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                target.Remove(key);
            }
        }

        return target;
    }

    private static JsonArray? MergeList(JsonArray? target, JsonArray patch, string path, PatchSchema schema)
    {
        if (!schema.TryGetList(path, out var rule))
        {
            return (JsonArray)StripDirectives(patch)!;
        }

        target ??= [];
        if (rule.IsSet)
        {
            foreach (var item in patch.Where(i => !target.Any(t => JsonNode.DeepEquals(t, i))))
            {
                target.Add(item?.DeepClone());
            }

            return target;
        }

        // A bare {"$patch": "replace"} element swaps the whole list for the patch's elements.
        if (patch.Any(i => i is JsonObject o && Directive(o) == "replace"))
        {
            return new JsonArray([.. patch.Where(i => i is not JsonObject o || Directive(o) != "replace")
                .Select(StripDirectives)]);
        }

        foreach (var item in patch)
        {
            if (item is not JsonObject element || rule.KeyOf(element) is null)
            {
                throw new PatchException($"list \"{path}\" elements must be objects with merge key \"{string.Join(", ", rule.Keys.Select(k => k.Name))}\"");
            }

            var index = IndexOf(target, rule, element);
            if (Directive(element) == "delete")
            {
                if (index >= 0)
                {
                    target.RemoveAt(index);
                }

                continue;
            }

            var existing = index >= 0 ? (JsonObject)target[index]! : [];
            var merged = MergeObject(existing, element, path + "[]", schema);
            if (index < 0)
            {
                target.Add(merged);
            }
            else if (!ReferenceEquals(existing, merged))
            {
                target[index] = merged;
            }
        }

        return target;
    }

    // Listed elements come first in the requested order; unlisted ones keep their relative order.
    private static JsonArray Reorder(JsonArray current, JsonArray order, ListRule rule)
    {
        var remaining = current.ToList();
        var result = new List<JsonNode?>();
        foreach (var wanted in order)
        {
            var match = remaining.FindIndex(item => rule.SameItem(item, wanted));
            if (match >= 0)
            {
                result.Add(remaining[match]);
                remaining.RemoveAt(match);
            }
        }

        return new JsonArray([.. result.Concat(remaining).Select(n => n?.DeepClone())]);
    }

    private static int IndexOf(JsonArray list, ListRule rule, JsonObject element)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (rule.SameItem(list[i], element))
            {
                return i;
            }
        }

        return -1;
    }

    private static void RemoveWhere(JsonArray list, Func<JsonNode?, bool> predicate)
    {
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (predicate(list[i]))
            {
                list.RemoveAt(i);
            }
        }
    }

    private static string? Directive(JsonObject map) =>
        map[PatchDirective] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) && s is "replace" or "delete" or "merge" => s,
            var other => throw new PatchException($"unknown $patch directive {other.ToJsonString()}"),
        };

    // Deep copy without any directive keys, so patch-only syntax never reaches stored objects.
    private static JsonNode? StripDirectives(JsonNode? node) =>
        node switch
        {
            JsonObject o => new JsonObject(o.Where(p => !IsDirective(p.Key))
                .Select(p => KeyValuePair.Create(p.Key, StripDirectives(p.Value)))),
            JsonArray a => new JsonArray([.. a.Select(StripDirectives)]),
            _ => node?.DeepClone(),
        };
}

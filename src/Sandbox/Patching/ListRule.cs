using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Patching;

/// <summary>
/// How a list is merged: by its <see cref="Keys"/> for lists of objects, or as a set of primitive values when it
/// has none. Lists without a rule are atomic. Strategic merge patch and server-side apply may key a list
/// differently (Service ports: patchMergeKey <c>port</c>, list-map-keys <c>port, protocol</c>), so the apply keys
/// are kept apart; <see cref="ForApply"/> gives the rule apply uses.
/// </summary>
public sealed class ListRule
{
    public ListRule(string? mergeKey)
        : this(mergeKey is null ? [] : [new ListKey(mergeKey)])
    {
    }

    public ListRule(IReadOnlyList<ListKey> keys, IReadOnlyList<ListKey>? applyKeys = null)
    {
        Keys = keys;
        ApplyKeys = applyKeys ?? keys;
    }

    public static ListRule Set { get; } = new((string?)null);

    public IReadOnlyList<ListKey> Keys { get; }

    public IReadOnlyList<ListKey> ApplyKeys { get; }

    public bool IsSet => Keys.Count == 0;

    /// <summary>The single merge key strategic merge patch directives use; null for sets.</summary>
    public string? MergeKey => Keys.Count > 0 ? Keys[0].Name : null;

    public ListRule ForApply() => ReferenceEquals(ApplyKeys, Keys) ? this : new ListRule(ApplyKeys);

    /// <summary>The item's key fields (defaults filled in), or null when it is not an object or lacks a key.</summary>
    public JsonObject? KeyOf(JsonNode? item)
    {
        if (item is not JsonObject obj)
        {
            return null;
        }

        var key = new JsonObject();
        // Sorted by name, as structured-merge-diff writes a key in managedFields (k:{"port":80,"protocol":"TCP"}).
        foreach (var k in Keys.OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            var value = obj[k.Name] ?? k.Default;
            if (value is null)
            {
                return null;
            }

            key[k.Name] = value.DeepClone();
        }

        return key;
    }

    /// <summary>Whether two items are the same list entry: equal keys, or equal values in a set.</summary>
    public bool SameItem(JsonNode? a, JsonNode? b) =>
        IsSet ? JsonNode.DeepEquals(a, b) : KeyOf(a) is { } ka && KeyOf(b) is { } kb && JsonNode.DeepEquals(ka, kb);
}

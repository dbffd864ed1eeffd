using System.Collections.Concurrent;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>The resources one cluster serves: the built-ins plus whatever its CRDs add.</summary>
public sealed class ResourceCatalog
{
    private readonly ConcurrentDictionary<(string Group, string Version, string Plural), ResourceType> _types = new();

    public ResourceCatalog()
    {
        foreach (var type in BuiltinResources.All)
        {
            Register(type);
        }
    }

    public void Register(ResourceType type) => _types[(type.Group, type.Version, type.Plural)] = type;

    /// <summary>Removes every version a CRD served; returns true when anything was served.</summary>
    public bool Unregister(string group, string plural)
    {
        var removed = false;
        foreach (var key in _types.Keys.Where(k => k.Group == group && k.Plural == plural).ToList())
        {
            removed |= _types.TryRemove(key, out _);
        }

        return removed;
    }

    public ResourceType? Find(string group, string version, string plural) =>
        _types.TryGetValue((group, version, plural), out var type) ? type : null;

    /// <summary>Some served version of the resource stored under <paramref name="storageKey"/>.</summary>
    public ResourceType? FindByStorageKey(string storageKey) => _types.Values.FirstOrDefault(t => t.StorageKey == storageKey);

    /// <summary>
    /// Built-in groups first, then CRD groups by name: a real server orders groups by priority, and every CRD group
    /// has the same one (1000, below the built-ins), so kubectl resolves a plural two CRD groups serve to the first name.
    /// </summary>
    public IReadOnlyList<ResourceType> All => _types.Values
        .OrderBy(t => t.IsCustom)
        .ThenBy(t => t.Group, StringComparer.Ordinal)
        .ThenBy(t => t.Plural, StringComparer.Ordinal)
        .ToList();

    public IEnumerable<IGrouping<string, ResourceType>> Groups() => All.GroupBy(t => t.Group);
}

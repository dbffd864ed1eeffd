using System.Collections.Concurrent;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>The ServiceImports a member holds (ours), with the import version each was written from.</summary>
internal sealed class MemberImports
{
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    public volatile bool Synced;

    public IEnumerable<string> Keys => _versions.Keys;

    public bool Contains(string key) => _versions.ContainsKey(key);

    public bool Matches(string key, long version) => _versions.TryGetValue(key, out var present) && present == version;

    public void Set(string key, long version) => _versions[key] = version;

    public void Remove(string key) => _versions.TryRemove(key, out _);
}

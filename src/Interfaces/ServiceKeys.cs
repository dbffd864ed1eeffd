namespace ErieCanal.Orleans.Interfaces;

/// <summary>Grain keys for per-service and per-export grains.</summary>
public static class ServiceKeys
{
    /// <summary><c>namespace/name</c>: the key of a ServiceImportGrain.</summary>
    public static string Service(string ns, string name) => $"{ns}/{name}";

    /// <summary><c>clusterKey|namespace/name</c>: the key of a ServiceExportGrain.</summary>
    public static string Export(string clusterKey, string ns, string name) => $"{clusterKey}|{ns}/{name}";

    /// <summary>
    /// The directory's service-index key of an MCS service (<c>mcs:namespace/name</c>): the two API families share
    /// the index (and its repair-by-version), and a flomesh.io service key never starts with it (a namespace has no colon).
    /// </summary>
    public static string McsIndex(string serviceKey) => McsIndexPrefix + serviceKey;

    /// <summary>The MCS service key of a directory index key, or null for a flomesh.io service.</summary>
    public static string? FromMcsIndex(string indexKey) =>
        indexKey.StartsWith(McsIndexPrefix, StringComparison.Ordinal) ? indexKey[McsIndexPrefix.Length..] : null;

    private const string McsIndexPrefix = "mcs:";

    /// <summary>
    /// The service-index shard (<see cref="IServiceIndexGrain"/>) of an index key: FNV-1a over its UTF-16 code units,
    /// stable across processes and versions.
    /// </summary>
    public static int IndexShard(string indexKey)
    {
        var hash = 2166136261u;
        foreach (var c in indexKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % IServiceIndexGrain.Shards);
    }

    public static (string ClusterKey, string Namespace, string Name) ParseExport(string key)
    {
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        var (ns, name) = ParseService(key[(bar + 1)..]);
        return (key[..bar], ns, name);
    }

    public static (string Namespace, string Name) ParseService(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}

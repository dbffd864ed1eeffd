namespace ErieCanal.Orleans.Interfaces;

/// <summary>Grain keys for per-service and per-export grains.</summary>
public static class ServiceKeys
{
    /// <summary><c>namespace/name</c>: the key of a ServiceImportGrain.</summary>
    public static string Service(string ns, string name) => $"{ns}/{name}";

    /// <summary><c>clusterKey|namespace/name</c>: the key of a ServiceExportGrain.</summary>
    public static string Export(string clusterKey, string ns, string name) => $"{clusterKey}|{ns}/{name}";

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

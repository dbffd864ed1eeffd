using System.Collections.Concurrent;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>A backend's id (ns/svc:port) as the <c>service</c> label the proxy uses too (svc.ns:port), made once per backend.</summary>
internal sealed class ServiceLabels
{
    private readonly ConcurrentDictionary<string, string> _labels = new(StringComparer.Ordinal);

    public string For(string clusterId) => _labels.GetOrAdd(clusterId, static id =>
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        var colon = id.LastIndexOf(':');
        return slash > 0 && colon > slash ? $"{id[(slash + 1)..colon]}.{id[..slash]}{id[colon..]}" : id;
    });
}

using System.Collections.Concurrent;
using System.Globalization;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// The routing of the member's multicluster.x-k8s.io imports, from what the system writes into the member: per
/// service port, every exporting cluster that has a ready endpoint for that port in our MCS EndpointSlices (a
/// cluster judged unhealthy has its endpoints written not ready, so it drops out), reached through its gateway (the
/// slices' <see cref="McsNames.SourceGatewayAnnotation"/>), all Active with equal weight. Built when the member's
/// objects change; resolving is one lookup.
/// </summary>
public sealed class McsRouteTable : IMcsRoutes
{
    private readonly Dictionary<(string Namespace, string Name, int Port), ServiceRoute> _routes;

    private McsRouteTable(Dictionary<(string, string, int), ServiceRoute> routes) => _routes = routes;

    public static McsRouteTable Empty { get; } = new([]);

    /// <summary>How many MCS service ports route somewhere.</summary>
    public int RouteCount => _routes.Count;

    public ServiceRoute? Resolve(string ns, string importName, int port) => _routes.GetValueOrDefault((ns, importName, port));

    /// <summary>Every (service, address key) pair some route can send to.</summary>
    public HashSet<(string Service, string Key)> RoutedAddresses() =>
        [.. _routes.Values.SelectMany(r => r.Targets.SelectMany(t => t.Addresses.Select(a => (r.Service, a.Key))))];

    /// <summary>A new table; balancer state carries over between tables in <paramref name="balancers"/>.</summary>
    public static McsRouteTable Build(IEnumerable<McsServiceImport> imports, IEnumerable<V1EndpointSlice> slices, ConcurrentDictionary<string, SmoothWeightedBalancer> balancers)
    {
        ArgumentNullException.ThrowIfNull(balancers);

        // Our MCS slices by import: (namespace, service-name label) -> slices.
        var byImport = new Dictionary<(string, string), List<V1EndpointSlice>>();
        foreach (var slice in slices)
        {
            var labels = slice.Metadata.Labels;
            if (labels is null
                || !labels.TryGetValue(McsNames.ManagedByLabel, out var by) || by != McsNames.ManagedBy
                || !labels.TryGetValue(McsNames.ServiceNameLabel, out var service) || string.IsNullOrEmpty(service)
                || !labels.ContainsKey(McsNames.SourceClusterLabel))
            {
                continue;
            }

            var key = (slice.Metadata.NamespaceProperty ?? "default", service);
            if (!byImport.TryGetValue(key, out var list))
            {
                byImport[key] = list = [];
            }

            list.Add(slice);
        }

        var routes = new Dictionary<(string, string, int), ServiceRoute>();
        foreach (var import in imports)
        {
            var ns = import.Metadata.NamespaceProperty ?? "default";
            var name = import.Metadata.Name;
            if (import.Spec.Type == McsNames.ImportTypes.Headless || !byImport.TryGetValue((ns, name), out var held))
            {
                continue;
            }

            foreach (var port in import.Spec.Ports ?? [])
            {
                if (!string.IsNullOrEmpty(port.Protocol) && port.Protocol != "TCP")
                {
                    continue;
                }

                var targets = Targets(held, port.Name ?? "");
                if (targets.Count > 0)
                {
                    var label = $"{name}.{ns}:{port.Port.ToString(CultureInfo.InvariantCulture)}";
                    routes[(ns, name, port.Port)] = new ServiceRoute(label, targets, balancers.GetOrAdd($"mcs:{ns}/{name}:{port.Port}", _ => new SmoothWeightedBalancer()));
                }
            }
        }

        return new McsRouteTable(routes);
    }

    // One Active target per source cluster with a ready endpoint on a slice port of this name, at its gateway.
    private static List<ProxyTarget> Targets(List<V1EndpointSlice> slices, string portName)
    {
        var targets = new List<ProxyTarget>();
        foreach (var cluster in slices.GroupBy(s => s.Metadata.Labels[McsNames.SourceClusterLabel], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var gateway = cluster.Select(s => s.Metadata.Annotations is { } a && a.TryGetValue(McsNames.SourceGatewayAnnotation, out var g) ? g : null).FirstOrDefault(g => g is not null);
            var ready = cluster.Any(s => (s.Ports ?? []).Any(p => (p.Name ?? "") == portName)
                && (s.Endpoints ?? []).Any(e => e.Conditions?.Ready != false && e.Addresses is { Count: > 0 }));
            if (!ready || ParseGateway(gateway) is not var (host, gatewayPort))
            {
                continue;
            }

            targets.Add(new ProxyTarget(cluster.Key, ProxyTier.Active, 1, [new ProxyAddress(host, gatewayPort, "", Local: false) { ClusterKey = cluster.Key }]));
        }

        return targets;
    }

    private static (string Host, int Port)? ParseGateway(string? text)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? (text![..colon].Trim('[', ']'), port)
            : null;
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// What the proxy knows of its member: the ServiceImports' status.routing and the member's own Services and
/// EndpointSlices, resolved when they change into one immutable route per service port. A service port routes by
/// the import's routing when it has a usable entry for the port (the member's own entry goes straight to its ready
/// pods); an import with no status.routing routes as its spec implies (no policy: this member's own entries only),
/// else not at all (404): a Service no import names is never reached through the proxy, so the proxy is no
/// way around a NetworkPolicy. Resolving a request is one lookup: nothing is parsed per request.
/// </summary>
public sealed class ProxyRouteTable
{
    // The control plane's default weight (a missing or zero weight means 100).
    private const int DefaultWeight = 100;

    private readonly Dictionary<string, ServiceImportResource> _imports;
    private readonly ServiceDirectory _services;
    private readonly string _clusterKey;
    private readonly ConcurrentDictionary<string, SmoothWeightedBalancer> _balancers;
    private readonly Dictionary<(string Namespace, string Name, int Port), ServiceRoute> _routes = [];

    private ProxyRouteTable(Dictionary<string, ServiceImportResource> imports, ServiceDirectory services, string clusterKey, ConcurrentDictionary<string, SmoothWeightedBalancer> balancers)
    {
        _imports = imports;
        _services = services;
        _clusterKey = clusterKey;
        _balancers = balancers;
    }

    public static ProxyRouteTable Empty(string clusterKey) => new([], ServiceDirectory.Empty, clusterKey, new(StringComparer.Ordinal));

    public int ImportCount => _imports.Count;

    /// <summary>How many service ports route somewhere.</summary>
    public int RouteCount => _routes.Count;

    /// <summary>A new table over fresh caches; balancer state carries over from <paramref name="previous"/>.</summary>
    public static ProxyRouteTable Build(IEnumerable<ServiceImportResource> imports, ServiceDirectory services, string clusterKey, ProxyRouteTable? previous = null)
    {
        var byName = new Dictionary<string, ServiceImportResource>(StringComparer.Ordinal);
        foreach (var import in imports)
        {
            byName[$"{import.Metadata.NamespaceProperty ?? "default"}/{import.Metadata.Name}"] = import;
        }

        var table = new ProxyRouteTable(byName, services, clusterKey, previous?._balancers ?? new(StringComparer.Ordinal));
        table.Precompute();
        return table;
    }

    /// <summary>Every routed service port.</summary>
    public IEnumerable<ServiceRoute> Routes => _routes.Values;

    /// <summary>Every (service, address key) pair some route can send to.</summary>
    public HashSet<(string Service, string Key)> RoutedAddresses() =>
        [.. _routes.Values.SelectMany(r => r.Targets.SelectMany(t => t.Addresses.Select(a => (r.Service, a.Key))))];

    /// <summary>The member holds a ServiceImport <paramref name="ns"/>/<paramref name="name"/>.</summary>
    public bool HasImport(string ns, string name) => _imports.ContainsKey($"{ns}/{name}");

    /// <summary>The route for port <paramref name="port"/> of Service <paramref name="ns"/>/<paramref name="name"/>; null when nothing routes it.</summary>
    public ServiceRoute? Resolve(string ns, string name, int port) => _routes.GetValueOrDefault((ns, name, port));

    private void Precompute()
    {
        // The import's routing first: a port with a usable routing entry is routed by it.
        foreach (var import in _imports.Values)
        {
            var ns = import.Metadata.NamespaceProperty ?? "default";
            var name = import.Metadata.Name;
            if (import.Status?.Routing is null)
            {
                RouteBySpec(import, ns, name);
                continue;
            }

            if (import.Status.Routing["ports"] is not JsonArray ports)
            {
                continue;
            }

            // Only the first entry of a port counts; one without usable endpoints leaves the port to the Service.
            var seen = new HashSet<int>();
            foreach (var entry in ports.OfType<JsonObject>())
            {
                if (Int(entry["port"]) is { } port && seen.Add(port)
                    && ImportTargets(entry, ns, name, port) is { Count: > 0 } routed)
                {
                    _routes[(ns, name, port)] = Route(ns, name, port, routed);
                }
            }
        }

        // The member's own Services are never routed on their own: a pod that can reach the proxy must not reach,
        // through it, what its NetworkPolicies forbid. Only what an import names is forwarded.
    }

    // No status.routing: the routing the spec implies, as the control plane would have written it with no policy and
    // nothing marked (Locality): a port this member itself exports goes to its own ready pods; any other, nowhere.
    private void RouteBySpec(ServiceImportResource import, string ns, string name)
    {
        var service = _services.Find(ns, name);
        foreach (var port in import.Spec?.Ports ?? [])
        {
            if (port.Endpoints?.Any(e => string.Equals(e.ClusterKey, _clusterKey, StringComparison.Ordinal)) != true || _routes.ContainsKey((ns, name, port.Port)))
            {
                continue;
            }

            var servicePort = service is null ? null : ServiceDirectory.PortByNumber(service, port.Port);
            ProxyAddress[] local = service is null || servicePort is null ? [] : LocalAddresses(service, servicePort);
            if (local.Length > 0)
            {
                _routes[(ns, name, port.Port)] = Route(ns, name, port.Port, [new ProxyTarget(_clusterKey, ProxyTier.Active, DefaultWeight, local)]);
            }
        }
    }

    private ServiceRoute Route(string ns, string name, int port, IReadOnlyList<ProxyTarget> targets) =>
        new($"{name}.{ns}:{port}", targets, _balancers.GetOrAdd($"{ns}/{name}:{port}", _ => new SmoothWeightedBalancer()));

    private List<ProxyTarget> ImportTargets(JsonObject entry, string ns, string name, int port)
    {
        var targets = new List<ProxyTarget>();
        foreach (var endpoint in (entry["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var state = Text(endpoint["state"]) ?? EndpointStates.Active;
            var tier = state switch
            {
                EndpointStates.Active => ProxyTier.Active,
                EndpointStates.Standby => ProxyTier.Standby,
                _ => (ProxyTier?)null,
            };
            var clusterKey = Text(endpoint["clusterKey"]) ?? "";
            if (tier is null)
            {
                continue;
            }

            var weight = Int(endpoint["weight"]) ?? 0;
            if (string.Equals(clusterKey, _clusterKey, StringComparison.Ordinal))
            {
                // Our own cluster's entry points at our own gateway: go to our pods directly instead.
                var service = _services.Find(ns, name);
                var servicePort = service is null ? null : ServiceDirectory.PortByNumber(service, port);
                targets.Add(new ProxyTarget(clusterKey, tier.Value, weight, service is null || servicePort is null ? [] : LocalAddresses(service, servicePort)));
                continue;
            }

            var host = Text(endpoint["ip"]) is { Length: > 0 } ip ? ip : Text(endpoint["host"]);
            var targetPort = Int(endpoint["port"]);
            IReadOnlyList<ProxyAddress> addresses = string.IsNullOrEmpty(host) || targetPort is not (> 0 and <= 65535)
                ? []
                : [new ProxyAddress(host, targetPort.Value, Text(endpoint["path"]) ?? "", Local: false) { ClusterKey = clusterKey }];
            targets.Add(new ProxyTarget(clusterKey, tier.Value, weight, addresses));
        }

        return targets;
    }

    private ProxyAddress[] LocalAddresses(k8s.Models.V1Service service, k8s.Models.V1ServicePort port) =>
        [.. _services.ReadyEndpoints(service, port).Select(e => new ProxyAddress(e.Ip, e.Port, "", Local: true) { ClusterKey = _clusterKey })];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Int(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<int>(out var number) ? number
        : value.TryGetValue<long>(out var wide) && wide is >= int.MinValue and <= int.MaxValue ? (int)wide
        : value.TryGetValue<double>(out var real) && real == Math.Floor(real) && Math.Abs(real) < int.MaxValue ? (int)real
        : value.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null
        : null;
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// What the proxy knows of its member: the ServiceImports' status.routing and the member's own Services and
/// EndpointSlices. Resolves a service port to its targets: the import's routing when it has a usable entry for
/// the port, else the member's own Service as plain Kubernetes would, else nothing (404).
/// </summary>
public sealed class ProxyRouteTable
{
    private readonly Dictionary<string, ServiceImportResource> _imports;
    private readonly ServiceDirectory _services;
    private readonly string _clusterKey;
    private readonly ConcurrentDictionary<string, SmoothWeightedBalancer> _balancers;

    private ProxyRouteTable(Dictionary<string, ServiceImportResource> imports, ServiceDirectory services, string clusterKey, ConcurrentDictionary<string, SmoothWeightedBalancer> balancers)
    {
        _imports = imports;
        _services = services;
        _clusterKey = clusterKey;
        _balancers = balancers;
    }

    public static ProxyRouteTable Empty(string clusterKey) => new([], ServiceDirectory.Empty, clusterKey, new(StringComparer.Ordinal));

    public int ImportCount => _imports.Count;

    /// <summary>A new table over fresh caches; balancer state carries over from <paramref name="previous"/>.</summary>
    public static ProxyRouteTable Build(IEnumerable<ServiceImportResource> imports, ServiceDirectory services, string clusterKey, ProxyRouteTable? previous = null)
    {
        var byName = new Dictionary<string, ServiceImportResource>(StringComparer.Ordinal);
        foreach (var import in imports)
        {
            byName[$"{import.Metadata.NamespaceProperty ?? "default"}/{import.Metadata.Name}"] = import;
        }

        return new ProxyRouteTable(byName, services, clusterKey, previous?._balancers ?? new(StringComparer.Ordinal));
    }

    /// <summary>The route for port <paramref name="port"/> of Service <paramref name="ns"/>/<paramref name="name"/>; null when nothing routes it.</summary>
    public ServiceRoute? Resolve(string ns, string name, int port)
    {
        var key = $"{ns}/{name}:{port}";
        var label = $"{name}.{ns}:{port}";
        var balancer = _balancers.GetOrAdd(key, _ => new SmoothWeightedBalancer());
        if (_imports.TryGetValue($"{ns}/{name}", out var import) && ImportTargets(import, ns, name, port) is { Count: > 0 } routed)
        {
            return new ServiceRoute(label, routed, balancer);
        }

        if (_services.Find(ns, name) is { } service && ServiceDirectory.PortByNumber(service, port) is { } servicePort)
        {
            return new ServiceRoute(label, [new ProxyTarget(_clusterKey, ProxyTier.Active, 1, LocalAddresses(service, servicePort))], balancer);
        }

        return null;
    }

    private List<ProxyTarget> ImportTargets(ServiceImportResource import, string ns, string name, int port)
    {
        var targets = new List<ProxyTarget>();
        if (import.Status?.Routing?["ports"] is not JsonArray ports)
        {
            return targets;
        }

        var entry = ports.OfType<JsonObject>().FirstOrDefault(p => Int(p["port"]) == port);
        foreach (var endpoint in (entry?["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
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
                : [new ProxyAddress(host, targetPort.Value, Text(endpoint["path"]) ?? "", Local: false)];
            targets.Add(new ProxyTarget(clusterKey, tier.Value, weight, addresses));
        }

        return targets;
    }

    private ProxyAddress[] LocalAddresses(k8s.Models.V1Service service, k8s.Models.V1ServicePort port) =>
        [.. _services.ReadyEndpoints(service, port).Select(e => new ProxyAddress(e.Ip, e.Port, "", Local: true))];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Int(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<int>(out var number) ? number
        : value.TryGetValue<long>(out var wide) && wide is >= int.MinValue and <= int.MaxValue ? (int)wide
        : value.TryGetValue<double>(out var real) && real == Math.Floor(real) && Math.Abs(real) < int.MaxValue ? (int)real
        : value.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null
        : null;
}

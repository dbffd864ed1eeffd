using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>
/// The member's Services and EndpointSlices, indexed to answer "which ready pods serve port P of Service ns/name",
/// the way kube-proxy does: Service port -> its name -> the EndpointSlice port of that name (which already carries
/// the resolved targetPort) -> the endpoints whose ready condition is not false.
/// </summary>
public sealed class ServiceDirectory
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private const string ManagedByLabel = ErieCanal.Orleans.Interfaces.Mcs.McsNames.ManagedByLabel;
    private const string ManagedByUs = ErieCanal.Orleans.Interfaces.Mcs.McsNames.ManagedBy;

    private readonly Dictionary<string, V1Service> _services;
    private readonly Dictionary<string, List<V1EndpointSlice>> _slices;

    private ServiceDirectory(Dictionary<string, V1Service> services, Dictionary<string, List<V1EndpointSlice>> slices)
    {
        _services = services;
        _slices = slices;
    }

    public static ServiceDirectory Empty { get; } = Build([], []);

    public static ServiceDirectory Build(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var byName = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            byName[Key(service.Metadata.NamespaceProperty, service.Metadata.Name)] = service;
        }

        var byService = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            if (slice.Metadata.Labels?.TryGetValue(ServiceNameLabel, out var owner) != true || string.IsNullOrEmpty(owner))
            {
                continue;
            }

            // Slices we wrote (a proxy-fronted Service's: the proxy's listeners) are never pods: following them from
            // a gateway or a proxy would send the connection back into a proxy, a loop.
            if (slice.Metadata.Labels.TryGetValue(ManagedByLabel, out var manager) && manager == ManagedByUs)
            {
                continue;
            }

            var key = Key(slice.Metadata.NamespaceProperty, owner);
            if (!byService.TryGetValue(key, out var list))
            {
                byService[key] = list = [];
            }

            list.Add(slice);
        }

        return new ServiceDirectory(byName, byService);
    }

    public IEnumerable<V1Service> All => _services.Values;

    public V1Service? Find(string ns, string name) => _services.GetValueOrDefault(Key(ns, name));

    public static V1ServicePort? PortByNumber(V1Service service, int port) =>
        service.Spec?.Ports?.FirstOrDefault(p => p.Port == port && IsTcp(p.Protocol));

    public static V1ServicePort? PortByName(V1Service service, string name) =>
        service.Spec?.Ports?.FirstOrDefault(p => string.Equals(p.Name ?? "", name, StringComparison.Ordinal) && IsTcp(p.Protocol));

    /// <summary>The ready pod endpoints behind one port of a Service, ordered by address for stable balancing.</summary>
    public IReadOnlyList<PodEndpoint> ReadyEndpoints(V1Service service, V1ServicePort port)
    {
        if (!_slices.TryGetValue(Key(service.Metadata.NamespaceProperty, service.Metadata.Name), out var slices))
        {
            return [];
        }

        var found = new Dictionary<string, PodEndpoint>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            if (slice.AddressType is not ("IPv4" or "IPv6") || SlicePort(slice, port) is not { } targetPort)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                // Kubernetes: an unset ready condition means ready.
                if (endpoint.Conditions?.Ready == false || endpoint.Addresses is not { Count: > 0 } addresses)
                {
                    continue;
                }

                var pod = new PodEndpoint(addresses[0], targetPort, endpoint.TargetRef?.Name);
                found.TryAdd(pod.Authority, pod);
            }
        }

        return [.. found.Values.OrderBy(e => e.Ip, StringComparer.Ordinal).ThenBy(e => e.Port)];
    }

    private static int? SlicePort(V1EndpointSlice slice, V1ServicePort servicePort)
    {
        var ports = slice.Ports ?? [];
        var named = ports.FirstOrDefault(p => string.Equals(p.Name ?? "", servicePort.Name ?? "", StringComparison.Ordinal) && IsTcp(p.Protocol) && p.Port is not null);
        if (named is not null)
        {
            return named.Port;
        }

        // Hand-written slices may leave the names out; a numeric targetPort still identifies the port.
        var target = servicePort.TargetPort?.Value is { } value && int.TryParse(value, out var number) ? number : servicePort.Port;
        return ports.FirstOrDefault(p => p.Port == target && IsTcp(p.Protocol))?.Port;
    }

    private static bool IsTcp(string? protocol) => string.IsNullOrEmpty(protocol) || protocol == "TCP";

    private static string Key(string? ns, string name) => $"{ns ?? "default"}/{name}";
}

using ErieCanal.Orleans.Interfaces;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Proxy.Listeners;

/// <summary>
/// Which listeners the proxy should have, read from its member's proxy EndpointSlices (the
/// <see cref="ProxyListeners"/> contract): one per distinct listener port, mapped to its import's service port.
/// </summary>
public static class ListenerPlan
{
    /// <summary>The wanted listeners by port, and the ports refused with the reason (outside the range, claimed twice).</summary>
    public static (Dictionary<int, ListenerRoute> Wanted, Dictionary<int, string> Refused) Build(IEnumerable<V1EndpointSlice> slices, int firstPort, int lastPort)
    {
        var wanted = new Dictionary<int, ListenerRoute>();
        var refused = new Dictionary<int, string>();
        foreach (var slice in slices.OrderBy(s => s.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            var labels = slice.Metadata.Labels;
            if (labels is null
                || !labels.TryGetValue(ProxyListeners.ImportKindLabel, out var kind) || kind is not (ProxyListeners.McsKind or ProxyListeners.FlomeshKind)
                || !labels.TryGetValue(ProxyListeners.ImportNameLabel, out var import) || string.IsNullOrEmpty(import))
            {
                continue;
            }

            var ns = slice.Metadata.NamespaceProperty ?? "default";
            foreach (var (port, servicePort) in ProxyListeners.Parse(slice.Metadata.Annotations is { } annotations && annotations.TryGetValue(ProxyListeners.ListenersAnnotation, out var text) ? text : null))
            {
                var entry = slice.Ports?.FirstOrDefault(p => p.Port == port);
                if (entry is not null && !string.IsNullOrEmpty(entry.Protocol) && entry.Protocol != "TCP")
                {
                    continue;
                }

                // An MCS export has no Ingress at its gateway: its ports are reached through tunnels only, so its
                // listeners carry every connection as TCP (the gateway splices to a ready pod).
                var route = new ListenerRoute(kind, ns, import, servicePort, kind == ProxyListeners.McsKind ? ListenerProtocol.Tcp : ProtocolOf(entry));
                if (port < firstPort || port > lastPort)
                {
                    refused[port] = $"port {port} of {route.Service} is outside the listener range {firstPort}-{lastPort}";
                }
                else if (wanted.TryGetValue(port, out var claimed) && claimed != route)
                {
                    refused[port] = $"port {port} is claimed by {claimed.Service} and by {route.Service}; {claimed.Service} keeps it";
                }
                else
                {
                    wanted[port] = route;
                }
            }
        }

        return (wanted, refused);
    }

    /// <summary>As the Service port declares it (appProtocol first, then the port name's convention), else sniffed.</summary>
    public static ListenerProtocol ProtocolOf(Discoveryv1EndpointPort? port)
    {
        var appProtocol = port?.AppProtocol?.ToLowerInvariant();
        var name = port?.Name?.ToLowerInvariant() ?? "";
        return appProtocol switch
        {
            "http" or "kubernetes.io/h2c" => ListenerProtocol.Http,
            "tcp" => ListenerProtocol.Tcp,
            _ when name == "http" || name.StartsWith("http-", StringComparison.Ordinal) => ListenerProtocol.Http,
            _ when name == "tcp" || name.StartsWith("tcp-", StringComparison.Ordinal) => ListenerProtocol.Tcp,
            _ => ListenerProtocol.Sniff,
        };
    }
}

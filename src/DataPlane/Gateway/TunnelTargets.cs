using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.DataPlane.Tunnel;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// Where a gateway may open tunnels: ports of its member's Services that a ServiceExport (flomesh.io or
/// multicluster.x-k8s.io, same namespace and name) exports, to their ready pods. Nothing else, never an address a
/// request names: the gateway is not an open proxy. Rebuilt whole on every change, as the ingress routes are.
/// </summary>
internal sealed class TunnelTargets
{
    private readonly ServiceDirectory _services;
    private readonly HashSet<(string Namespace, string Name)> _exported;

    private TunnelTargets(ServiceDirectory services, HashSet<(string, string)> exported)
    {
        _services = services;
        _exported = exported;
    }

    public static TunnelTargets Empty { get; } = new(ServiceDirectory.Empty, []);

    public static TunnelTargets Build(ServiceDirectory services, IEnumerable<ServiceExportResource> flomeshExports, IEnumerable<McsServiceExportResource> mcsExports)
    {
        var exported = new HashSet<(string, string)>();
        foreach (var meta in flomeshExports.Select(e => e.Metadata).Concat(mcsExports.Select(e => e.Metadata)))
        {
            if (meta?.Name is { Length: > 0 } name && meta.DeletionTimestamp is null)
            {
                exported.Add((meta.NamespaceProperty ?? "default", name));
            }
        }

        return new TunnelTargets(services, exported);
    }

    /// <summary>What a tunnel for <paramref name="name"/> may reach: a refusal (status and message), or the ready pods.</summary>
    public (int Status, string? Refusal, IReadOnlyList<PodEndpoint> Pods) Resolve(TunnelName name, string member)
    {
        if (!_exported.Contains((name.Namespace, name.Name)))
        {
            return (StatusCodes.Status403Forbidden, $"{name.Name}.{name.Namespace} is not exported from {member}: a tunnel goes only to a Service with a ServiceExport of its namespace and name", []);
        }

        if (_services.Find(name.Namespace, name.Name) is not V1Service service)
        {
            return (StatusCodes.Status404NotFound, $"{member} has no Service {name.Namespace}/{name.Name}", []);
        }

        if (ServiceDirectory.PortByNumber(service, name.Port) is not { } port)
        {
            return (StatusCodes.Status404NotFound, $"Service {name.Namespace}/{name.Name} on {member} has no TCP port {name.Port}", []);
        }

        var pods = _services.ReadyEndpoints(service, port);
        return pods.Count == 0
            ? (StatusCodes.Status503ServiceUnavailable, $"{name} has no ready endpoint on {member}", [])
            : (StatusCodes.Status101SwitchingProtocols, null, pods);
    }
}

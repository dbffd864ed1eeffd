using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// The flomesh.io imports of the member as the clusterset.local zone answers them: each same-name Service the system
/// wrote for one (marked, owned by a flomesh.io ServiceImport) is a ClusterSetIP import of its name at its
/// ClusterIP, so <c>svc.ns.svc.clusterset.local</c> reaches the proxy as <c>svc.ns</c> does. An MCS import of the same
/// name wins: it is the standard's.
/// </summary>
public static class SameNameImports
{
    public static IEnumerable<McsServiceImport> From(IEnumerable<V1Service> services, IEnumerable<McsServiceImport> mcsImports)
    {
        var taken = mcsImports.Select(i => (i.Metadata.NamespaceProperty, i.Metadata.Name)).ToHashSet();
        foreach (var service in services)
        {
            var labels = service.Metadata.Labels;
            if (labels is null
                || !labels.TryGetValue(McsNames.AppManagedByLabel, out var by) || by != McsNames.AppManagedBy
                || !labels.TryGetValue(McsNames.DerivedForLabel, out var forImport) || forImport != service.Metadata.Name
                || service.Metadata.OwnerReferences?.Any(o => o.Kind == "ServiceImport" && o.ApiVersion == ServiceImportResource.GroupVersion) != true
                || (service.Spec?.Selector?.Count ?? 0) > 0
                || service.Spec?.ClusterIPs is not { Count: > 0 } ips
                || taken.Contains((service.Metadata.NamespaceProperty, service.Metadata.Name)))
            {
                continue;
            }

            yield return new McsServiceImport
            {
                Metadata = new V1ObjectMeta { Name = service.Metadata.Name, NamespaceProperty = service.Metadata.NamespaceProperty },
                Spec = new McsServiceImportSpec
                {
                    Type = McsNames.ImportTypes.ClusterSetIp,
                    Ips = [.. ips],
                    Ports = [.. (service.Spec.Ports ?? []).Select(p => new McsServicePort { Name = p.Name, Protocol = p.Protocol, AppProtocol = p.AppProtocol, Port = p.Port })],
                },
            };
        }
    }
}

using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>The member's multi-cluster objects that its clusterset.local DNS answers from.</summary>
public static class McsSources
{
    /// <summary>
    /// Only the EndpointSlices of imported services that this system wrote: another MCS implementation's slices
    /// in the same member are not ours to serve.
    /// </summary>
    public const string SliceSelector = $"{McsNames.ServiceNameLabel},{McsNames.ManagedByLabel}={McsNames.ManagedBy}";

    /// <summary>multicluster.x-k8s.io/v1beta1 ServiceImports in all namespaces.</summary>
    public static IResourceSource<McsServiceImport> ServiceImports(IKubernetes client, string member) =>
        ResourceSources.Custom<McsServiceImport>(client, McsNames.Group, McsNames.Version, McsNames.ServiceImports, namespaced: true, $"{McsNames.ServiceImports}.{McsNames.Group} on {member}");

    public static IResourceSource<V1EndpointSlice> EndpointSlices(IKubernetes client, string member) =>
        new SelectedEndpointSlices(client, SliceSelector, $"multi-cluster endpointslices on {member}");
}

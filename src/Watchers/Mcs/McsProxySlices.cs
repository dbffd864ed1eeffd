using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// Where a derived Service sends its traffic: one EndpointSlice <c>&lt;derived&gt;-proxy</c>, labelled with the derived
/// Service's name so kube-proxy carries the ClusterSetIP there, holding the member's client-side proxy's ready
/// addresses on the proxy's port for each TCP port of the Service (UDP and SCTP ports get none: the proxy speaks TCP).
/// Owned by the ServiceImport, marked as ours, written only when its content changed; removed when there is no proxy.
/// The proxy is found by its Service's labels (<see cref="McsOptions.ProxyServiceSelector"/>), its addresses in that
/// Service's EndpointSlices (IPv4).
/// </summary>
internal static class McsProxySlices
{
    private const string PortName = "http";

    public static string SliceName(string derivedName) => derivedName + "-proxy";

    /// <summary>The member's proxy: the first Service the selector finds (by namespace and name), or null without one or without ready endpoints.</summary>
    public static async Task<McsProxyEndpoints?> ReadProxyAsync(IKubernetes kube, string selector, CancellationToken cancellationToken)
    {
        var services = await kube.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: selector, cancellationToken: cancellationToken);
        var proxy = services.Items
            .OrderBy(s => s.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        var ports = proxy?.Spec?.Ports ?? [];
        var servicePort = ports.FirstOrDefault(p => p.Name == PortName) ?? (ports.Count == 1 ? ports[0] : null);
        if (proxy is null || servicePort is null)
        {
            return null;
        }

        var (ns, name) = (proxy.Metadata.NamespaceProperty, proxy.Metadata.Name);
        var slices = await kube.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: $"{McsNames.KubernetesServiceNameLabel}={name}", cancellationToken: cancellationToken);
        var served = slices.Items
            .Where(s => s.AddressType == "IPv4")
            .Select(s => (Slice: s, Port: s.Ports?.FirstOrDefault(p => (p.Name ?? "") == (servicePort.Name ?? ""))?.Port))
            .Where(s => s.Port is not null)
            .ToList();
        var addresses = served
            .SelectMany(s => (s.Slice.Endpoints ?? []).Where(e => e.Conditions?.Ready != false).SelectMany(e => e.Addresses ?? []))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToImmutableArray();
        return addresses.IsEmpty ? null : new McsProxyEndpoints($"{ns}/{name}", addresses, served.Select(s => s.Port!.Value).Min());
    }

    /// <summary>Brings the derived Service's proxy slice to <paramref name="proxy"/> (none: the slice goes).</summary>
    public static Task SyncAsync(IKubernetes kube, McsDerivedService derived, string importUid, McsProxyEndpoints? proxy, ProxyListenerPorts? listeners, CancellationToken cancellationToken) =>
        SyncAsync(kube, ProxyFront.ForDerived(derived, importUid), proxy, listeners, cancellationToken);

    /// <summary>
    /// Brings the proxy slice of a proxy-fronted Service to <paramref name="proxy"/> (none: the slice goes). With
    /// <paramref name="listeners"/>, each TCP port lands on a proxy listener of its own (the slice's port entries and
    /// its <see cref="ProxyListeners.ListenersAnnotation"/>); without, on the proxy's HTTP port.
    /// </summary>
    // createFirst: create the slice before reading it, reading only on a conflict (a front not written before).
    public static async Task SyncAsync(IKubernetes kube, ProxyFront front, McsProxyEndpoints? proxy, ProxyListenerPorts? listeners, CancellationToken cancellationToken, bool createFirst = false)
    {
        ArgumentNullException.ThrowIfNull(front);
        var name = SliceName(front.ServiceName);
        createFirst &= proxy is not null && front.Ports.Any(p => p.Protocol == "TCP");
        var current = createFirst ? null : await ReadAsync(kube, front.Namespace, name, cancellationToken);
        if (current is not null && !IsOurs(current))
        {
            // Not written by us (no way to tell it from a user's): left alone.
            return;
        }

        var tcp = front.Ports.Where(p => p.Protocol == "TCP").ToList();
        if (proxy is null || tcp.Count == 0)
        {
            if (current is not null)
            {
                await KubernetesMemberMcsApi.DeleteSliceAsync(kube, front.Namespace, name, cancellationToken);
            }

            listeners?.Release(front.Namespace, front.ServiceName);
            return;
        }

        Dictionary<int, int>? listenerOf = null;
        if (listeners is not null)
        {
            await listeners.SeedAsync(kube, cancellationToken);
            listenerOf = listeners.Assign(front.Namespace, front.ServiceName, [.. tcp.Select(p => p.Port).Distinct()]).ToDictionary(p => p.ServicePort, p => p.Listener);
        }

        var portOf = (McsPort p) => listenerOf?[p.Port] ?? proxy.Port;
        var hash = $"{proxy.Describe()}|{string.Join(",", tcp.Select(p => $"{p.Name}/{p.Port}/{p.AppProtocol}>{portOf(p)}"))}|{front.ImportKind}/{front.ImportName}|{front.OwnerUid}";
        if (current?.Metadata.Annotations?.TryGetValue(McsNames.ContentHashAnnotation, out var held) == true && held == hash)
        {
            return;
        }

        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = front.Namespace,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [McsNames.KubernetesServiceNameLabel] = front.ServiceName,
                    [McsNames.ManagedByLabel] = McsNames.ManagedBy,
                    [McsNames.DerivedForLabel] = front.ImportName,
                    [ProxyListeners.ImportKindLabel] = front.ImportKind,
                    [ProxyListeners.ImportNameLabel] = front.ImportName,
                },
                Annotations = listenerOf is null
                    ? new Dictionary<string, string>(StringComparer.Ordinal) { [McsNames.ContentHashAnnotation] = hash }
                    : new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [McsNames.ContentHashAnnotation] = hash,
                        [ProxyListeners.ListenersAnnotation] = ProxyListeners.Format(listenerOf.Select(l => (l.Value, l.Key))),
                    },
                OwnerReferences = [new V1OwnerReference { ApiVersion = front.OwnerApiVersion, Kind = front.OwnerKind, Name = front.ImportName, Uid = front.OwnerUid, Controller = true }],
                ResourceVersion = current?.Metadata.ResourceVersion,
            },
            AddressType = "IPv4",
            Ports = [.. tcp.Select(p => new Discoveryv1EndpointPort { Name = p.Name ?? "", Protocol = "TCP", Port = portOf(p), AppProtocol = p.AppProtocol })],
            Endpoints = [.. proxy.Addresses.Select(a => new V1Endpoint { Addresses = [a], Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false } })],
        };
        if (current is null)
        {
            try
            {
                await kube.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, front.Namespace, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (createFirst && ApiErrors.IsConflict(ex))
            {
                // There is one after all: read it and go on as usual.
                await SyncAsync(kube, front, proxy, listeners, cancellationToken);
            }
        }
        else
        {
            await kube.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, name, front.Namespace, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Removes the derived Service's proxy slice if it is ours.</summary>
    public static async Task DeleteAsync(IKubernetes kube, string ns, string derivedName, ProxyListenerPorts? listeners, CancellationToken cancellationToken)
    {
        listeners?.Release(ns, derivedName);
        var name = SliceName(derivedName);
        if (await ReadAsync(kube, ns, name, cancellationToken) is { } current && IsOurs(current))
        {
            await KubernetesMemberMcsApi.DeleteSliceAsync(kube, ns, name, cancellationToken);
        }
    }

    private static bool IsOurs(V1EndpointSlice slice) =>
        slice.Metadata.Labels?.TryGetValue(McsNames.ManagedByLabel, out var by) == true && by == McsNames.ManagedBy;

    private static async Task<V1EndpointSlice?> ReadAsync(IKubernetes kube, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kube.DiscoveryV1.ReadNamespacedEndpointSliceAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }
}

using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.SameName;

/// <summary>
/// The member API calls behind a same-name Service: where a member holds a flomesh.io ServiceImport of ours and no
/// Service of that namespace/name, a selectorless ClusterIP Service of that name with the import's ports, whose
/// endpoints are the member's client-side proxy (its proxy slice), so that a plain pod reaches <c>svc.ns</c> with no
/// proxy setting. It is marked (<see cref="McsNames.AppManagedByLabel"/>, <see cref="McsNames.DerivedForLabel"/>)
/// and owned by the ServiceImport, so it goes with the import and is never exported. A Service that is not ours, or
/// that was made into a user's (given a selector, or our label removed), is never touched: the user's wins.
/// </summary>
internal static class SameNameServices
{
    public enum Outcome
    {
        Written,
        Taken,
        NoImport,
    }

    // importUid: the import's uid when its engine knows it (it just applied it, or watches it): no read of the import.
    // createFirst: create the Service and its slice before reading them, reading only on a conflict (a name not written before).
    public static async Task<Outcome> ReconcileAsync(
        IKubernetes kube, string ns, string name, ImmutableArray<McsPort> ports, McsProxyEndpoints? proxy, ProxyListenerPorts? listeners, string? importUid, bool createFirst, CancellationToken cancellationToken)
    {
        var uid = importUid ?? await ReadImportUidAsync(kube, ns, name, cancellationToken);
        if (uid is null)
        {
            await RemoveAsync(kube, ns, name, listeners, cancellationToken);
            return Outcome.NoImport;
        }

        var existing = createFirst ? null : await ReadServiceAsync(kube, ns, name, cancellationToken);
        if (existing is not null && !IsOurs(existing, name))
        {
            // The user's: our proxy slice would hand it our proxy's endpoints, and our owner reference would have the
            // garbage collector delete it with the import (a user who took ours over by apply or update).
            await McsProxySlices.DeleteAsync(kube, ns, name, listeners, cancellationToken);
            await ReleaseAsync(kube, existing, cancellationToken);
            return Outcome.Taken;
        }

        var hash = $"{uid}|{string.Join(",", ports.Select(p => $"{p.Name}/{p.Protocol}/{p.Port}/{p.AppProtocol}"))}";
        if (existing?.Metadata.Annotations?.TryGetValue(McsNames.ContentHashAnnotation, out var held) != true || held != hash)
        {
            var service = existing ?? new V1Service { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = new V1ServiceSpec() };
            service.Metadata.Labels = new Dictionary<string, string>(service.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [McsNames.AppManagedByLabel] = McsNames.AppManagedBy,
                [McsNames.DerivedForLabel] = name,
            };
            service.Metadata.Annotations = new Dictionary<string, string>(service.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [McsNames.ContentHashAnnotation] = hash,
            };
            service.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = ServiceImportResource.GroupVersion, Kind = "ServiceImport", Name = name, Uid = uid, Controller = true }];
            service.Spec.Type = "ClusterIP";
            service.Spec.Selector = null;
            service.Spec.Ports = [.. ports.Select(p => new V1ServicePort
            {
                Name = string.IsNullOrEmpty(p.Name) ? null : p.Name,
                Protocol = p.Protocol,
                Port = p.Port,
                TargetPort = p.Port,
                AppProtocol = p.AppProtocol,
            })];
            if (existing is null)
            {
                try
                {
                    await kube.CoreV1.CreateNamespacedServiceAsync(service, ns, cancellationToken: cancellationToken);
                }
                catch (Exception ex) when (ApiErrors.IsConflict(ex) && createFirst)
                {
                    // There is one after all (ours from before a restart, or a user's): read it and go on as usual.
                    return await ReconcileAsync(kube, ns, name, ports, proxy, listeners, uid, createFirst: false, cancellationToken);
                }
                catch (Exception ex) when (ApiErrors.IsConflict(ex))
                {
                    // A user's Service came first: theirs wins; the queue's retry sees it.
                    throw new InvalidOperationException($"Service {ns}/{name} appeared while ours was being written", ex);
                }
            }
            else
            {
                await kube.CoreV1.ReplaceNamespacedServiceAsync(service, name, ns, cancellationToken: cancellationToken);
            }
        }

        await McsProxySlices.SyncAsync(kube, new ProxyFront(ns, name, ProxyListeners.FlomeshKind, name, ServiceImportResource.GroupVersion, "ServiceImport", uid, ports), proxy, listeners, cancellationToken, createFirst);
        return Outcome.Written;
    }

    // Takes our marks off a Service a user made theirs: our owner reference, labels and content hash.
    private static async Task ReleaseAsync(IKubernetes kube, V1Service service, CancellationToken cancellationToken)
    {
        var owners = service.Metadata.OwnerReferences ?? [];
        var kept = owners.Where(o => !(o.Kind == "ServiceImport" && o.ApiVersion == ServiceImportResource.GroupVersion)).ToList();
        var labels = service.Metadata.Labels ?? new Dictionary<string, string>();
        var marked = labels.TryGetValue(McsNames.AppManagedByLabel, out var by) && by == McsNames.AppManagedBy && labels.ContainsKey(McsNames.DerivedForLabel);
        if (kept.Count == owners.Count && !marked)
        {
            return;
        }

        service.Metadata.OwnerReferences = kept.Count == 0 ? null : kept;
        if (marked)
        {
            labels.Remove(McsNames.AppManagedByLabel);
            labels.Remove(McsNames.DerivedForLabel);
            service.Metadata.Annotations?.Remove(McsNames.ContentHashAnnotation);
        }

        await kube.CoreV1.ReplaceNamespacedServiceAsync(service, service.Metadata.Name, service.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    /// <summary>Removes the same-name Service and its proxy slice if they are ours.</summary>
    public static async Task RemoveAsync(IKubernetes kube, string ns, string name, ProxyListenerPorts? listeners, CancellationToken cancellationToken)
    {
        if (await ReadServiceAsync(kube, ns, name, cancellationToken) is { } service && IsOurs(service, name))
        {
            try
            {
                await kube.CoreV1.DeleteNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
            }
        }

        await McsProxySlices.DeleteAsync(kube, ns, name, listeners, cancellationToken);
    }

    /// <summary>Ours: our marker labels naming the import, a flomesh.io ServiceImport owner of that name, and no selector (a selector makes it the user's).</summary>
    public static bool IsOurs(V1Service service, string importName)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Metadata.Labels?.TryGetValue(McsNames.AppManagedByLabel, out var by) == true && by == McsNames.AppManagedBy
            && service.Metadata.Labels.TryGetValue(McsNames.DerivedForLabel, out var forImport) && forImport == importName
            && service.Metadata.OwnerReferences?.Any(o => o.Kind == "ServiceImport" && o.ApiVersion == ServiceImportResource.GroupVersion && o.Name == importName) == true
            && (service.Spec?.Selector is null || service.Spec.Selector.Count == 0);
    }

    private static async Task<string?> ReadImportUidAsync(IKubernetes kube, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            var raw = await kube.CustomObjects.GetNamespacedCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken);
            var node = JsonNode.Parse(raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw));
            var labels = node?["metadata"]?["labels"];
            return labels?[ServiceImportResource.ManagedByLabel]?.GetValue<string>() == ServiceImportResource.ManagedByValue
                ? node?["metadata"]?["uid"]?.GetValue<string>()
                : null;
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    private static async Task<V1Service?> ReadServiceAsync(IKubernetes kube, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kube.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// A member's multicluster.x-k8s.io ServiceExports and its Services' EndpointSlices as the session's informers last
/// saw them, and the mapping from those (with the session's Service cache, <paramref name="findService"/>) to the
/// <see cref="McsExportObservation"/> an MCS export grain receives. Its keys live beside the flomesh.io ones on the
/// session's queue, told apart by the <see cref="KeyPrefix"/>.
/// </summary>
public sealed class McsObservations(Func<string, V1Service?> findService)
{
    public const string KeyPrefix = "mcs:";

    private readonly ConcurrentDictionary<string, McsServiceExportResource> _exports = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, McsEndpointSlice>> _slices = new(StringComparer.Ordinal);

    /// <summary>The queue key of the MCS export of the service <paramref name="serviceKey"/> (namespace/name).</summary>
    public static string Key(string serviceKey) => KeyPrefix + serviceKey;

    /// <summary>The service key of an MCS queue key, or null when <paramref name="key"/> is a flomesh.io one.</summary>
    public static string? ServiceKeyOf(string key) => key.StartsWith(KeyPrefix, StringComparison.Ordinal) ? key[KeyPrefix.Length..] : null;

    /// <summary>The queue keys of every MCS export the member has.</summary>
    public IEnumerable<string> ExportKeys => _exports.Keys.Select(Key);

    public bool HasExport(string serviceKey) => _exports.ContainsKey(serviceKey);

    /// <summary>Records an export; returns its queue key unless only its status changed (our own condition write echoing back).</summary>
    public string? SetExport(McsServiceExportResource export, bool present)
    {
        ArgumentNullException.ThrowIfNull(export);
        var serviceKey = ServiceKeys.Service(export.Metadata.NamespaceProperty ?? "", export.Metadata.Name);
        if (present && export.Metadata.DeletionTimestamp is null)
        {
            var before = _exports.GetValueOrDefault(serviceKey);
            _exports[serviceKey] = export;
            if (before is not null && before.Metadata.Uid == export.Metadata.Uid && before.Metadata.Generation is not null
                && before.Metadata.Generation == export.Metadata.Generation && (before.Status is null) == (export.Status is null))
            {
                return null;
            }
        }
        else
        {
            _exports.TryRemove(serviceKey, out _);
        }

        return Key(serviceKey);
    }

    /// <summary>A Service changed (the session's cache holds it): the queue key of its MCS export, if it has one.</summary>
    public string? ServiceChanged(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var serviceKey = ServiceKeys.Service(service.Metadata.NamespaceProperty ?? "", service.Metadata.Name);
        return _exports.ContainsKey(serviceKey) ? Key(serviceKey) : null;
    }

    /// <summary>
    /// Records a slice of a Service (label <c>kubernetes.io/service-name</c>); returns the queue key of the Service's
    /// MCS export when it has one and the slice's content changed.
    /// </summary>
    public string? SetSlice(V1EndpointSlice slice, bool present)
    {
        ArgumentNullException.ThrowIfNull(slice);
        if (slice.Metadata.Labels?.TryGetValue(McsNames.KubernetesServiceNameLabel, out var serviceName) != true || serviceName is null)
        {
            return null;
        }

        var serviceKey = ServiceKeys.Service(slice.Metadata.NamespaceProperty ?? "", serviceName);
        var slices = _slices.GetOrAdd(serviceKey, _ => new ConcurrentDictionary<string, McsEndpointSlice>(StringComparer.Ordinal));
        if (present)
        {
            var seen = ToSlice(slice);
            if (slices.TryGetValue(slice.Metadata.Name, out var before) && before == seen)
            {
                return null;
            }

            slices[slice.Metadata.Name] = seen;
        }
        else if (!slices.TryRemove(slice.Metadata.Name, out _))
        {
            return null;
        }

        return _exports.ContainsKey(serviceKey) ? Key(serviceKey) : null;
    }

    /// <summary>The export's whole observation, with the member's cluster id (null: none usable).</summary>
    public McsExportObservation Observe(string serviceKey, string? clusterId, GatewayAddress? gateway = null)
    {
        _exports.TryGetValue(serviceKey, out var export);
        var service = findService(serviceKey);
        var slices = _slices.TryGetValue(serviceKey, out var held)
            ? held.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value).ToImmutableArray()
            : [];
        return new McsExportObservation(
            export is null ? null : ToSpec(export),
            service is null ? null : ToSnapshot(service),
            service is null ? [] : slices,
            clusterId,
            service is null ? null : DerivedFor(service),
            gateway);
    }

    /// <summary>
    /// The ServiceImport a Service was derived for (our <see cref="McsNames.DerivedForLabel"/>, or a controller's
    /// ownerReference to a multicluster.x-k8s.io ServiceImport), or null for a Service of the user's.
    /// </summary>
    public static string? DerivedFor(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Metadata.Labels?.TryGetValue(McsNames.DerivedForLabel, out var label) == true && !string.IsNullOrEmpty(label))
        {
            return label;
        }

        return service.Metadata.OwnerReferences?
            .FirstOrDefault(o => o.Kind == McsNames.ServiceImportKind && (o.ApiVersion ?? "").StartsWith(McsNames.Group + "/", StringComparison.Ordinal))?.Name;
    }

    public static McsExportSpec ToSpec(McsServiceExportResource export)
    {
        ArgumentNullException.ThrowIfNull(export);
        return new McsExportSpec(
            export.Metadata.Uid ?? "",
            new DateTimeOffset(DateTime.SpecifyKind(export.Metadata.CreationTimestamp ?? DateTime.UnixEpoch, DateTimeKind.Utc)),
            export.Metadata.Generation ?? 1,
            export.Metadata.ResourceVersion ?? "",
            export.Status is not null,
            McsMap.From(export.Spec?.ExportedLabels),
            McsMap.From(export.Spec?.ExportedAnnotations));
    }

    public static McsServiceSnapshot ToSnapshot(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var spec = service.Spec;
        return new McsServiceSnapshot(
            spec?.Type ?? "ClusterIP",
            spec?.ClusterIP == "None",
            spec?.SessionAffinity ?? "None",
            spec?.SessionAffinityConfig?.ClientIP?.TimeoutSeconds,
            spec?.InternalTrafficPolicy,
            spec?.TrafficDistribution,
            [.. spec?.IpFamilies ?? []],
            [.. (spec?.Ports ?? []).Select(p => new McsPort(p.Name ?? "", p.Protocol ?? "TCP", p.Port, p.AppProtocol))]);
    }

    /// <summary>A slice as KEP-1645 mirrors it: a missing ready means ready, a missing serving means ready's value, a missing terminating means not.</summary>
    public static McsEndpointSlice ToSlice(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return new McsEndpointSlice(
            slice.AddressType ?? "IPv4",
            [.. (slice.Ports ?? []).Select(p => new McsSlicePort(p.Name, p.Protocol ?? "TCP", p.Port, p.AppProtocol))],
            [.. (slice.Endpoints ?? []).Select(e =>
            {
                var ready = e.Conditions?.Ready ?? true;
                return new McsEndpoint([.. e.Addresses ?? []], e.Hostname, ready, e.Conditions?.Serving ?? ready, e.Conditions?.Terminating ?? false, e.Zone, e.NodeName);
            })]);
    }
}

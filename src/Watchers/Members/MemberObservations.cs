using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// The member's exports, Services and endpoint readiness as its informers last saw them, indexed by
/// namespace/name, and the mapping from those objects to the observation a ServiceExportGrain receives.
/// </summary>
public sealed class MemberObservations
{
    private readonly ConcurrentDictionary<string, ServiceExportResource> _exports = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Service> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> _readyBySlice = new(StringComparer.Ordinal);

    public IEnumerable<string> ExportKeys => _exports.Keys;

    public bool HasExport(string serviceKey) => _exports.ContainsKey(serviceKey);

    public string SetExport(ServiceExportResource export, bool present)
    {
        var key = ServiceKeys.Service(export.Metadata.NamespaceProperty ?? "", export.Metadata.Name);
        if (present)
        {
            _exports[key] = export;
        }
        else
        {
            _exports.TryRemove(key, out _);
        }

        return key;
    }

    public string SetService(V1Service service, bool present)
    {
        var key = ServiceKeys.Service(service.Metadata.NamespaceProperty ?? "", service.Metadata.Name);
        if (present)
        {
            _services[key] = service;
        }
        else
        {
            _services.TryRemove(key, out _);
        }

        return key;
    }

    /// <summary>Records a slice's ready endpoints; returns the key of the service it belongs to, if labelled.</summary>
    public string? SetSlice(V1EndpointSlice slice, bool present)
    {
        if (slice.Metadata.Labels?.TryGetValue("kubernetes.io/service-name", out var serviceName) != true || serviceName is null)
        {
            return null;
        }

        var key = ServiceKeys.Service(slice.Metadata.NamespaceProperty ?? "", serviceName);
        var slices = _readyBySlice.GetOrAdd(key, _ => new ConcurrentDictionary<string, int>(StringComparer.Ordinal));
        if (present)
        {
            // A missing ready condition means ready, per the EndpointSlice API.
            slices[slice.Metadata.Name] = slice.Endpoints?.Count(e => e.Conditions?.Ready != false) ?? 0;
        }
        else
        {
            slices.TryRemove(slice.Metadata.Name, out _);
        }

        return key;
    }

    public ExportObservation Observe(string serviceKey, GatewayAddress? gateway, bool clusterHealthy)
    {
        _exports.TryGetValue(serviceKey, out var export);
        _services.TryGetValue(serviceKey, out var service);
        var ready = _readyBySlice.TryGetValue(serviceKey, out var slices) ? slices.Values.Sum() : 0;
        return new ExportObservation(
            export is null ? null : ToSpec(export),
            service is null ? null : ToSnapshot(service),
            ready,
            gateway,
            clusterHealthy);
    }

    private static ExportSpec ToSpec(ServiceExportResource export) => new(
        export.Metadata.Uid ?? "",
        new DateTimeOffset(DateTime.SpecifyKind(export.Metadata.CreationTimestamp ?? DateTime.UnixEpoch, DateTimeKind.Utc)),
        export.Metadata.Generation ?? 1,
        export.Spec.ServiceAccountName,
        (export.Spec.Rules ?? []).Select(r => new ExportRule(r.PortNumber, r.Path, r.PathType)).ToImmutableArray(),
        (export.Spec.TargetClusters ?? []).ToImmutableArray(),
        export.Spec.LoadBalancer ?? "RoundRobinLoadBalancer",
        export.Spec.SessionSticky ?? false);

    private static ServiceSnapshot ToSnapshot(V1Service service) => new(
        service.Spec?.Type ?? "ClusterIP",
        service.Spec?.ClusterIP == "None",
        service.Spec?.SessionAffinity ?? "None",
        service.Spec?.SessionAffinityConfig?.ClientIP?.TimeoutSeconds,
        (service.Spec?.Ports ?? []).Select(p => new ServicePortInfo(p.Name, p.Protocol ?? "TCP", p.Port, p.AppProtocol)).ToImmutableArray());
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// The member's exports, Services, endpoint readiness and Ingresses as its informers last saw them, indexed by
/// namespace/name, and the mapping from those objects to the observation a ServiceExportGrain receives.
/// </summary>
public sealed class MemberObservations(string ingressClass)
{
    private readonly ConcurrentDictionary<string, SeenIngress> _ingresses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServiceExportResource> _exports = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Service> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> _readyBySlice = new(StringComparer.Ordinal);

    public IEnumerable<string> ExportKeys => _exports.Keys;

    public bool HasExport(string serviceKey) => _exports.ContainsKey(serviceKey);

    /// <summary>The Service as last seen, or null (the MCS observations share this cache).</summary>
    public V1Service? FindService(string serviceKey) => _services.GetValueOrDefault(serviceKey);

    public string? SetExport(ServiceExportResource export, bool present)
    {
        var key = ServiceKeys.Service(export.Metadata.NamespaceProperty ?? "", export.Metadata.Name);

        // An export being deleted (say, waiting for its dependents in a foreground deletion) is withdrawn already:
        // re-writing its Ingress would fight the garbage collector.
        if (present && export.Metadata.DeletionTimestamp is null)
        {
            var before = _exports.GetValueOrDefault(key);
            _exports[key] = export;

            // A change of status alone (our own condition write echoing back) changes nothing the grain decides on:
            // the spec moves the generation, and uid and creation time name the object.
            if (before is not null && before.Metadata.Uid == export.Metadata.Uid && before.Metadata.Generation == export.Metadata.Generation
                && before.Metadata.Generation is not null)
            {
                return null;
            }
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

    /// <summary>
    /// Records a slice's ready endpoints; returns the key of the service it belongs to, if labelled and its count of
    /// ready endpoints changed.
    /// </summary>
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
            // A missing ready condition means ready, per the EndpointSlice API. An unchanged count changes no observation.
            var ready = slice.Endpoints?.Count(e => e.Conditions?.Ready != false) ?? 0;
            if (slices.TryGetValue(slice.Metadata.Name, out var before) && before == ready)
            {
                return null;
            }

            slices[slice.Metadata.Name] = ready;
        }
        else
        {
            slices.TryRemove(slice.Metadata.Name, out _);
        }

        return key;
    }

    /// <summary>Services with an Ingress of ours but no export: orphans, re-observed so their grain removes them.</summary>
    public IEnumerable<string> OrphanIngressKeys =>
        _ingresses.Values.Where(i => i.Export is not null).Select(i => ServiceKeys.Service(i.Namespace, i.Export!)).Where(k => !_exports.ContainsKey(k));

    /// <summary>An Ingress of ours is in the member for this service's export (maybe an orphan to remove).</summary>
    public bool HasOurIngress(string serviceKey)
    {
        var (ns, name) = ServiceKeys.ParseService(serviceKey);
        return _ingresses.TryGetValue(ServiceKeys.Service(ns, ExportIngresses.Name(name)), out var seen) && seen.Export == name;
    }

    /// <summary>
    /// Records an Ingress; returns the services whose observation it may change: the export it was written for, and
    /// every export sharing one of its paths (before or after the change), whose path conflict may come or go.
    /// </summary>
    public IReadOnlyCollection<string> SetIngress(V1Ingress ingress, bool present)
    {
        var ns = ingress.Metadata.NamespaceProperty ?? "";
        var key = ServiceKeys.Service(ns, ingress.Metadata.Name);
        _ingresses.TryGetValue(key, out var before);
        SeenIngress? after = null;
        if (present)
        {
            after = new SeenIngress(ns, ingress.Metadata.Name, ExportIngresses.ClassOf(ingress) == ingressClass, ExportIngresses.ExportOf(ingress),
                ExportIngresses.PathsOf(ingress), ExportIngresses.Read(ingress));
            _ingresses[key] = after;
        }
        else
        {
            _ingresses.TryRemove(key, out _);
        }

        var affected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var seen in new[] { before, after }.OfType<SeenIngress>())
        {
            if (seen.Export is { } export)
            {
                affected.Add(ServiceKeys.Service(seen.Namespace, export));
            }

            if (seen.OfOurClass)
            {
                foreach (var (exportKey, exported) in _exports)
                {
                    if (PathsOf(exported).Any(p => seen.Paths.Contains(p, StringComparer.Ordinal)))
                    {
                        affected.Add(exportKey);
                    }
                }
            }
        }

        return affected;
    }

    /// <summary>
    /// Exports whose Service exists and whose Ingress of ours is in the member (so the gateway routes their paths):
    /// what the silos probe through the gateway for per-service health.
    /// </summary>
    public ImmutableArray<ServiceProbeTarget> ProbeTargets() =>
    [
        .. _exports
            .Where(e => _services.ContainsKey(e.Key) && HasOurIngress(e.Key))
            .Select(e => (e.Key, Paths: PathsOf(e.Value).ToImmutableArray()))
            .Where(t => t.Paths.Length > 0)
            .Select(t => new ServiceProbeTarget(t.Key, t.Paths)),
    ];

    /// <summary>The service's observation; its health is the service's own (ready endpoints), never the member's.</summary>
    public ExportObservation Observe(string serviceKey, GatewayAddress? gateway)
    {
        _exports.TryGetValue(serviceKey, out var export);
        _services.TryGetValue(serviceKey, out var service);
        var ready = _readyBySlice.TryGetValue(serviceKey, out var slices) ? slices.Values.Sum() : 0;
        var (ns, name) = ServiceKeys.ParseService(serviceKey);
        _ingresses.TryGetValue(ServiceKeys.Service(ns, ExportIngresses.Name(name)), out var own);
        return new ExportObservation(
            export is null ? null : ToSpec(export),
            service is null ? null : ToSnapshot(service),
            ready,
            gateway,
            own is not null && own.Export == name ? own.Shape : null,
            export is null ? null : FirstClaim(serviceKey, export));
    }

    /// <summary>
    /// The first path of the export that another Ingress of our class already routes, in any namespace. An Ingress
    /// of ours for another export claims only when that export is older (ties by name), so two exports of one path
    /// settle on the same winner from either side.
    /// </summary>
    private PathClaim? FirstClaim(string serviceKey, ServiceExportResource export)
    {
        var (ns, name) = ServiceKeys.ParseService(serviceKey);
        var paths = PathsOf(export);
        return _ingresses.Values
            .Where(i => i.OfOurClass && !(i.Namespace == ns && i.Name == ExportIngresses.Name(name)))
            .Where(i => i.Export is not { } other || OlderThan(ServiceKeys.Service(i.Namespace, other), serviceKey, export))
            .SelectMany(i => paths.Where(p => i.Paths.Contains(p, StringComparer.Ordinal)).Select(p => new PathClaim(i.Namespace, i.Name, p)))
            .OrderBy(c => c.Namespace, StringComparer.Ordinal).ThenBy(c => c.IngressName, StringComparer.Ordinal).ThenBy(c => c.Path, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private bool OlderThan(string otherKey, string serviceKey, ServiceExportResource export)
    {
        if (!_exports.TryGetValue(otherKey, out var other))
        {
            // An Ingress of ours whose export is gone is an orphan on its way out, not a claim.
            return false;
        }

        var mine = export.Metadata.CreationTimestamp ?? DateTime.MaxValue;
        var theirs = other.Metadata.CreationTimestamp ?? DateTime.MaxValue;
        return theirs != mine ? theirs < mine : string.CompareOrdinal(otherKey, serviceKey) < 0;
    }

    /// <summary>The paths an export's Ingress routes: its rules' paths (an export without rules gets no Ingress).</summary>
    private static IEnumerable<string> PathsOf(ServiceExportResource export) =>
        (export.Spec.Rules ?? []).Select(r => string.IsNullOrEmpty(r.Path) ? "/" : r.Path).Distinct(StringComparer.Ordinal);

    private static ExportSpec ToSpec(ServiceExportResource export) => new(
        export.Metadata.Uid ?? "",
        new DateTimeOffset(DateTime.SpecifyKind(export.Metadata.CreationTimestamp ?? DateTime.UnixEpoch, DateTimeKind.Utc)),
        export.Metadata.Generation ?? 1,
        export.Spec.ServiceAccountName,
        (export.Spec.Rules ?? []).Select(r => new ExportRule(r.PortNumber, r.Path, r.PathType)).ToImmutableArray(),
        (export.Spec.TargetClusters ?? []).ToImmutableArray(),
        export.Spec.LoadBalancer ?? "RoundRobinLoadBalancer",
        export.Spec.SessionSticky ?? false,
        export.Spec.PathRewrite?.From,
        export.Spec.PathRewrite?.To,
        export.Metadata.ResourceVersion ?? "",
        export.Status is not null);

    private static ServiceSnapshot ToSnapshot(V1Service service) => new(
        service.Spec?.Type ?? "ClusterIP",
        service.Spec?.ClusterIP == "None",
        service.Spec?.SessionAffinity ?? "None",
        service.Spec?.SessionAffinityConfig?.ClientIP?.TimeoutSeconds,
        (service.Spec?.Ports ?? []).Select(p => new ServicePortInfo(p.Name, p.Protocol ?? "TCP", p.Port, p.AppProtocol)).ToImmutableArray(),
        // One with a selector is the user's, even while it still carries our marks (taken over by apply or update).
        (service.Spec?.Selector?.Count ?? 0) > 0 ? null : McsObservations.DerivedFor(service));

    private sealed record SeenIngress(string Namespace, string Name, bool OfOurClass, string? Export, ImmutableArray<string> Paths, ExportIngress Shape);
}

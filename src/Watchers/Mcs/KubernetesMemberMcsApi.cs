using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// Reconciles one member's MCS import (plan §4.2) over KubernetesClient, in order: the ServiceImport by server-side
/// apply (field manager <see cref="FieldManager"/>), the derived Service of a ClusterSetIP import (selectorless
/// ClusterIP owned by the import; a Service of that name that is not ours is never adopted: Ready=False
/// <see cref="McsNames.Reasons.DerivedServiceTaken"/>), the import again with <c>ips</c> and <c>ipFamilies</c> read back
/// from the derived Service, each source's EndpointSlices (written when their content hash changed, the source's
/// others deleted), the derived Service's endpoints (the member's client-side proxy, <see cref="McsProxySlices"/>),
/// and the import's status (<c>clusters</c>, Ready) through its one <see cref="ConditionWriter"/>.
/// Every API failure is thrown: the engine's queue retries the whole, each step being idempotent.
/// </summary>
public sealed class KubernetesMemberMcsApi(Func<Task<IKubernetes>> client, TimeProvider time, ProxyListenerPorts? listeners = null)
{
    public const string FieldManager = "erie-canal-orleans";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Namespace, string Name), (string Uid, ConditionWriter Writer)> _status = new();

    /// <summary>
    /// Brings the member to <paramref name="target"/>, the derived Service's endpoints at <paramref name="proxy"/>;
    /// returns the Ready reason it wrote (null: the import was removed).
    /// </summary>
    public async Task<string?> ReconcileAsync(McsImportTarget target, McsProxyEndpoints? proxy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var kube = await client();
        var (ns, name) = (target.Namespace, target.Name);
        var derivedName = McsNames.DerivedName(ns, name);
        if (target.Document is not { } document)
        {
            await RemoveAsync(kube, ns, name, derivedName, cancellationToken);
            return null;
        }

        await EnsureNamespaceAsync(kube, ns, cancellationToken);
        var existing = await ReadServiceAsync(kube, ns, derivedName, cancellationToken);
        // Applied with the ips of a derived Service that looks ours, so a re-run does not take them away and back.
        var presumed = target.Derived is not null && existing is not null && IsOurs(existing, name) ? existing : null;
        var import = await ApplyImportAsync(kube, document, presumed, cancellationToken);
        var uid = import["metadata"]?["uid"]?.GetValue<string>() ?? throw new InvalidOperationException($"ServiceImport {ns}/{name} has no uid");
        var generation = import["metadata"]?["generation"]?.GetValue<long>() ?? 1;
        var ours = existing is not null && OwnedBy(existing, uid);

        string reason = McsNames.Reasons.Ready, message = "the ServiceImport is ready";
        if (target.Derived is { } derived)
        {
            if (existing is not null && !ours)
            {
                (reason, message) = (McsNames.Reasons.DerivedServiceTaken,
                    $"Service {ns}/{derivedName} exists and is not written by erie-canal-orleans for this ServiceImport; it is left alone (delete or rename it to import the service)");

                // Our proxy slice would hand that Service our proxy's endpoints.
                await McsProxySlices.DeleteAsync(kube, ns, derivedName, listeners, cancellationToken);
            }
            else
            {
                var service = await WriteDerivedAsync(kube, derived, existing, uid, cancellationToken);
                if (presumed is null || !SameAddresses(presumed, service))
                {
                    generation = (await ApplyImportAsync(kube, document, service, cancellationToken))["metadata"]?["generation"]?.GetValue<long>() ?? generation;
                }

                await McsProxySlices.SyncAsync(kube, derived, uid, proxy, listeners, cancellationToken);
            }
        }
        else if (ours)
        {
            await DeleteServiceAsync(kube, ns, derivedName, cancellationToken);
            await McsProxySlices.DeleteAsync(kube, ns, derivedName, listeners, cancellationToken);
        }

        foreach (var (source, slices) in target.Slices)
        {
            await SyncSlicesAsync(kube, ns, name, uid, source, slices, cancellationToken);
        }

        await WriteStatusAsync(kube, ns, name, uid, generation, document.Clusters, reason, message, cancellationToken);
        return reason;
    }

    /// <summary>The member's client-side proxy, as the derived Services' endpoints point at it (null: none found).</summary>
    public async Task<McsProxyEndpoints?> ReadProxyAsync(string selector, CancellationToken cancellationToken) =>
        await McsProxySlices.ReadProxyAsync(await client(), selector, cancellationToken);

    /// <summary>Removes every ServiceImport this system wrote in the member (labelled as ours), with its derived Service and slices, and any slice of ours left.</summary>
    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        var kube = await client();
        JsonNode? list = null;
        try
        {
            var raw = await kube.CustomObjects.ListClusterCustomObjectAsync(McsNames.Group, McsNames.Version, McsNames.ServiceImports,
                labelSelector: $"{McsNames.AppManagedByLabel}={McsNames.AppManagedBy}", cancellationToken: cancellationToken);
            list = JsonNode.Parse(raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw));
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // No MCS ServiceImport CRD in the member: nothing of that kind was written there.
        }

        foreach (var item in list?["items"]?.AsArray() ?? [])
        {
            var ns = item?["metadata"]?["namespace"]?.GetValue<string>() ?? "";
            var name = item?["metadata"]?["name"]?.GetValue<string>() ?? "";
            await RemoveAsync(kube, ns, name, McsNames.DerivedName(ns, name), cancellationToken);
        }

        var slices = await kube.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: $"{McsNames.ManagedByLabel}={McsNames.ManagedBy}", cancellationToken: cancellationToken);
        foreach (var slice in slices.Items)
        {
            await DeleteSliceAsync(kube, slice.Metadata.NamespaceProperty, slice.Metadata.Name, cancellationToken);
        }
    }

    private async Task RemoveAsync(IKubernetes kube, string ns, string name, string derivedName, CancellationToken cancellationToken)
    {
        var service = await ReadServiceAsync(kube, ns, derivedName, cancellationToken);
        if (service is not null && IsOurs(service, name))
        {
            await DeleteServiceAsync(kube, ns, derivedName, cancellationToken);
        }

        await McsProxySlices.DeleteAsync(kube, ns, derivedName, listeners, cancellationToken);
        foreach (var slice in await ListSlicesAsync(kube, ns, name, null, cancellationToken))
        {
            await DeleteSliceAsync(kube, ns, slice.Metadata.Name, cancellationToken);
        }

        try
        {
            await kube.CustomObjects.DeleteNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, ns, McsNames.ServiceImports, name, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }

        _status.TryRemove((ns, name), out _);
    }

    /// <summary>Server-side apply of the import; with the derived Service, its ips and ip families (same order by construction).</summary>
    private static async Task<JsonNode> ApplyImportAsync(IKubernetes kube, McsServiceImportDocument document, V1Service? derived, CancellationToken cancellationToken)
    {
        var spec = new JsonObject
        {
            ["type"] = document.Type,
            ["ports"] = new JsonArray([.. document.Ports.Select(PortNode)]),
            ["sessionAffinity"] = document.SessionAffinity,
        };
        if (document.ClientIpTimeoutSeconds is { } timeout)
        {
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = timeout } };
        }

        if (document.InternalTrafficPolicy is { } itp)
        {
            spec["internalTrafficPolicy"] = itp;
        }

        if (document.TrafficDistribution is { } td)
        {
            spec["trafficDistribution"] = td;
        }

        var families = derived?.Spec?.IpFamilies is { Count: > 0 } own ? own : (IList<string>)[.. document.IpFamilies];
        spec["ipFamilies"] = new JsonArray([.. families.Select(f => (JsonNode?)JsonValue.Create(f))]);
        if (derived?.Spec?.ClusterIPs is { Count: > 0 } ips)
        {
            spec["ips"] = new JsonArray([.. ips.Take(2).Select(ip => (JsonNode?)JsonValue.Create(ip))]);
        }

        var body = new JsonObject
        {
            ["apiVersion"] = McsNames.ApiVersion,
            ["kind"] = McsNames.ServiceImportKind,
            ["metadata"] = new JsonObject
            {
                ["name"] = document.Name,
                ["namespace"] = document.Namespace,
                ["labels"] = MapNode(document.Labels),
                ["annotations"] = MapNode(document.Annotations),
            },
            ["spec"] = spec,
        };
        var raw = await kube.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch), McsNames.Group, McsNames.Version,
            document.Namespace, McsNames.ServiceImports, document.Name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        return JsonNode.Parse(raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw))!;
    }

    /// <summary>Creates the derived Service, or brings ours to the decided spec (its cluster IPs stay: they are immutable).</summary>
    private static async Task<V1Service> WriteDerivedAsync(IKubernetes kube, McsDerivedService derived, V1Service? existing, string importUid, CancellationToken cancellationToken)
    {
        var service = existing ?? new V1Service { Metadata = new V1ObjectMeta { Name = derived.Name, NamespaceProperty = derived.Namespace }, Spec = new V1ServiceSpec() };
        service.Metadata.Labels = derived.Labels.ToDictionary().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        service.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = McsNames.ApiVersion, Kind = McsNames.ServiceImportKind, Name = derived.ImportName, Uid = importUid, Controller = true },
        ];
        service.Spec.Type = "ClusterIP";
        service.Spec.Selector = null;
        service.Spec.IpFamilyPolicy ??= "PreferDualStack";
        service.Spec.Ports = [.. derived.Ports.Select(p => new V1ServicePort { Name = string.IsNullOrEmpty(p.Name) ? null : p.Name, Protocol = p.Protocol, Port = p.Port, AppProtocol = p.AppProtocol, TargetPort = p.Port })];
        service.Spec.SessionAffinity = derived.SessionAffinity;
        service.Spec.SessionAffinityConfig = derived.ClientIpTimeoutSeconds is { } timeout ? new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = timeout } } : null;
        service.Spec.TrafficDistribution = derived.TrafficDistribution;
        return existing is null
            ? await kube.CoreV1.CreateNamespacedServiceAsync(service, derived.Namespace, cancellationToken: cancellationToken)
            : await kube.CoreV1.ReplaceNamespacedServiceAsync(service, derived.Name, derived.Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>One source's slices: those whose content hash differs are written, the source's others deleted.</summary>
    private static async Task SyncSlicesAsync(IKubernetes kube, string ns, string name, string importUid, string source, ImmutableArray<McsSliceIntent> intents, CancellationToken cancellationToken)
    {
        var held = (await ListSlicesAsync(kube, ns, name, source, cancellationToken)).ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        foreach (var intent in intents)
        {
            held.Remove(intent.Name, out var current);
            if (current is not null && ValueOf(current.Metadata.Annotations, McsNames.ContentHashAnnotation) == intent.ContentHash
                && current.Metadata.OwnerReferences?.Any(o => o.Uid == importUid) == true)
            {
                continue;
            }

            var slice = ToSlice(ns, name, importUid, intent);
            if (current is null)
            {
                await kube.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns, cancellationToken: cancellationToken);
            }
            else
            {
                slice.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                await kube.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, intent.Name, ns, cancellationToken: cancellationToken);
            }
        }

        foreach (var stale in held.Keys)
        {
            await DeleteSliceAsync(kube, ns, stale, cancellationToken);
        }
    }

    private async Task WriteStatusAsync(IKubernetes kube, string ns, string name, string uid, long generation, ImmutableArray<string> clusters, string reason, string message, CancellationToken cancellationToken)
    {
        if (!_status.TryGetValue((ns, name), out var owner) || owner.Uid != uid)
        {
            _status[(ns, name)] = owner = (uid, new ConditionWriter(McsNames.ServiceImports, ns, name, time, group: McsNames.Group, version: McsNames.Version));
        }

        await owner.Writer.WriteAsync(kube,
            [new ConditionUpdate(McsNames.Conditions.Ready, reason == McsNames.Reasons.Ready, reason, message, generation)],
            new Dictionary<string, JsonNode?> { ["clusters"] = new JsonArray([.. clusters.Select(c => (JsonNode?)new JsonObject { ["cluster"] = c })]) },
            cancellationToken);
    }

    private static V1EndpointSlice ToSlice(string ns, string name, string importUid, McsSliceIntent intent)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [McsNames.ContentHashAnnotation] = intent.ContentHash };
        if (intent.SourceGateway is { } gateway)
        {
            annotations[McsNames.SourceGatewayAnnotation] = gateway;
        }

        return new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = intent.Name,
                NamespaceProperty = ns,
                Labels = intent.Labels.ToDictionary().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                Annotations = annotations,
                OwnerReferences = [new V1OwnerReference { ApiVersion = McsNames.ApiVersion, Kind = McsNames.ServiceImportKind, Name = name, Uid = importUid, Controller = true }],
            },
            AddressType = intent.Content.AddressType,
            Ports = [.. intent.Content.Ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Protocol = p.Protocol, Port = p.Port, AppProtocol = p.AppProtocol })],
            Endpoints = [.. intent.Content.Endpoints.Select(e => new V1Endpoint
            {
                Addresses = [.. e.Addresses],
                Hostname = e.Hostname,
                Zone = e.Zone,
                Conditions = new V1EndpointConditions { Ready = e.Ready, Serving = e.Serving, Terminating = e.Terminating },
            })],
        };
    }

    /// <summary>Our slices of the import (of one source, or all): by the MCS service-name and our managed-by label.</summary>
    private static async Task<IList<V1EndpointSlice>> ListSlicesAsync(IKubernetes kube, string ns, string name, string? source, CancellationToken cancellationToken)
    {
        var selector = $"{McsNames.ServiceNameLabel}={name},{McsNames.ManagedByLabel}={McsNames.ManagedBy}" + (source is null ? "" : $",{McsNames.SourceClusterLabel}={source}");
        return (await kube.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: selector, cancellationToken: cancellationToken)).Items;
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

    private static async Task DeleteServiceAsync(IKubernetes kube, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await kube.CoreV1.DeleteNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }

    /// <summary>Deletes a slice; one already gone is fine.</summary>
    internal static async Task DeleteSliceAsync(IKubernetes kube, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await kube.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }

    private static async Task EnsureNamespaceAsync(IKubernetes kube, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await kube.CoreV1.ReadNamespaceAsync(ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            try
            {
                await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
            }
            catch (Exception exists) when (ApiErrors.IsConflict(exists))
            {
            }
        }
    }

    private static bool SameAddresses(V1Service a, V1Service b) =>
        (a.Spec?.ClusterIPs ?? []).SequenceEqual(b.Spec?.ClusterIPs ?? []) && (a.Spec?.IpFamilies ?? []).SequenceEqual(b.Spec?.IpFamilies ?? []);

    /// <summary>Ours: controlled by the import with this uid.</summary>
    private static bool OwnedBy(V1Service service, string importUid) =>
        service.Metadata.OwnerReferences?.Any(o => o.Kind == McsNames.ServiceImportKind && o.Uid == importUid && o.ApiVersion == McsNames.ApiVersion) == true;

    /// <summary>Ours for an import that is gone (no uid to compare): our marker label naming it, and a ServiceImport owner.</summary>
    private static bool IsOurs(V1Service service, string importName) =>
        ValueOf(service.Metadata.Labels, McsNames.DerivedForLabel) == importName
        && service.Metadata.OwnerReferences?.Any(o => o.Kind == McsNames.ServiceImportKind && o.ApiVersion == McsNames.ApiVersion && o.Name == importName) == true;

    private static string? ValueOf(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static JsonNode PortNode(McsPort port)
    {
        var node = new JsonObject { ["port"] = port.Port, ["protocol"] = port.Protocol };
        if (!string.IsNullOrEmpty(port.Name))
        {
            node["name"] = port.Name;
        }

        if (port.AppProtocol is { } app)
        {
            node["appProtocol"] = app;
        }

        return node;
    }

    private static JsonObject MapNode(McsMap map)
    {
        var node = new JsonObject();
        foreach (var (key, value) in map.ToDictionary())
        {
            node[key] = value;
        }

        return node;
    }
}

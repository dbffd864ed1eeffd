using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>
/// A member's ServiceImports and GlobalTrafficPolicies over KubernetesClient, with typed documents; a policy's
/// conditions go through its one <see cref="ConditionWriter"/> (get, mutate, update guarded by resourceVersion).
/// </summary>
public sealed class KubernetesMemberImportApi(string clusterKey, Func<Task<IKubernetes>> client, InformerOptions informer, TimeProvider time, ILogger logger) : IMemberImportApi
{
    public const string FieldManager = "erie-canal-orleans";

    private static readonly JsonSerializerOptions Documents = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    // Each policy's conditions have one owner here (the engine's queue never runs one policy's work twice at once).
    private readonly ConcurrentDictionary<(string Namespace, string Name), ConditionWriter> _policyConditions = new();

    public async Task<string?> ApplyAsync(ServiceImportResource document, CancellationToken cancellationToken)
    {
        var kube = await client();
        var ns = document.Metadata.NamespaceProperty;
        var name = document.Metadata.Name;
        var patch = new V1Patch(JsonSerializer.Serialize(document, Documents), V1Patch.PatchType.ApplyPatch);
        try
        {
            return UidOf(await kube.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name,
                fieldManager: FieldManager, force: true, cancellationToken: cancellationToken));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // SPEC §3: the namespace is created in members that lack it.
            try
            {
                await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException exists) when (exists.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }

            return UidOf(await kube.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name,
                fieldManager: FieldManager, force: true, cancellationToken: cancellationToken));
        }
    }

    // The apply's answer is the object: its uid spares the same-name Service a read of the import.
    private static string? UidOf(object? applied) =>
        applied is JsonElement { ValueKind: JsonValueKind.Object } element
            && element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("uid", out var uid) && uid.ValueKind == JsonValueKind.String
            ? uid.GetString()
            : null;

    public async Task PatchRoutingAsync(string ns, string name, Routing? routing, CancellationToken cancellationToken)
    {
        var kube = await client();

        // A merge patch's null removes the field: the routing the spec implies is no routing at all.
        var body = new JsonObject { ["status"] = new JsonObject { ["routing"] = routing is null ? null : RoutingJson.ToNode(routing) } };
        await kube.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch),
            ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken: cancellationToken);
    }

    public async Task DeleteAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var kube = await client();
        try
        {
            await kube.CustomObjects.DeleteNamespacedCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    public async Task<IReadOnlyList<(string Namespace, string Name)>> ListManagedAsync(CancellationToken cancellationToken)
    {
        var kube = await client();
        var list = await kube.CustomObjects.ListClusterCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ServiceImportResource.Plural,
            labelSelector: $"{ServiceImportResource.ManagedByLabel}={ServiceImportResource.ManagedByValue}", cancellationToken: cancellationToken);
        var json = list is JsonElement element ? element : JsonSerializer.SerializeToElement(list);
        return [.. json.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("metadata"))
            .Select(m => (m.GetProperty("namespace").GetString() ?? "", m.GetProperty("name").GetString() ?? ""))];
    }

    public async Task SetPolicyConditionsAsync(PatchPolicyConditions work, CancellationToken cancellationToken)
    {
        var kube = await client();
        var key = (work.Namespace, work.Name);
        var writer = _policyConditions.GetOrAdd(key, k => new ConditionWriter(GlobalTrafficPolicyResource.Plural, k.Namespace, k.Name, time));
        try
        {
            await writer.WriteAsync(kube,
            [
                new ConditionUpdate(ConditionTypes.Valid, work.Valid.Status, work.Valid.Reason, work.Valid.Message, work.Generation),
                new ConditionUpdate(ConditionTypes.ResolvedRefs, work.ResolvedRefs.Status, work.ResolvedRefs.Reason, work.ResolvedRefs.Message, work.Generation),
            ], new Dictionary<string, JsonNode?> { ["observedGeneration"] = work.Generation }, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The policy is gone; a new one of the same name starts from what it holds.
            _policyConditions.TryRemove(key, out _);
        }
    }

    public async Task RecordEventAsync(string ns, string name, bool warning, string reason, string message, CancellationToken cancellationToken)
    {
        var kube = await client();
        string? uid;
        try
        {
            // kubectl describe finds an object's Events by its uid.
            var raw = await kube.CustomObjects.GetNamespacedCustomObjectAsync(ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name, cancellationToken);
            var json = raw is JsonElement element ? element : JsonSerializer.SerializeToElement(raw);
            uid = json.GetProperty("metadata").TryGetProperty("uid", out var u) ? u.GetString() : null;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        await KubeEvents.RecordAsync(kube, "ServiceImport", ns, name, uid, warning, reason, message, cancellationToken);
    }

    public async Task WatchAsync(IInformerHandler<ServiceImportResource> handler, CancellationToken cancellationToken)
    {
        var kube = await client();
        var source = ResourceSources.Custom<ServiceImportResource>(kube, ServiceImportResource.Group, ServiceImportResource.Version, ServiceImportResource.Plural,
            namespaced: true, $"serviceimports on {clusterKey}");
        await new ResourceInformer<ServiceImportResource>(source, handler, informer, logger).RunAsync(cancellationToken);
    }
}

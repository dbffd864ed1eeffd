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

/// <summary>A member's ServiceImports and GlobalTrafficPolicies over KubernetesClient, with typed documents.</summary>
public sealed class KubernetesMemberImportApi(string clusterKey, Func<Task<IKubernetes>> client, InformerOptions informer, ILogger logger) : IMemberImportApi
{
    public const string FieldManager = "erie-canal-orleans";

    private static readonly JsonSerializerOptions Documents = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public async Task ApplyAsync(ServiceImportResource document, CancellationToken cancellationToken)
    {
        var kube = await client();
        var ns = document.Metadata.NamespaceProperty;
        var name = document.Metadata.Name;
        var patch = new V1Patch(JsonSerializer.Serialize(document, Documents), V1Patch.PatchType.ApplyPatch);
        try
        {
            await kube.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name,
                fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
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

            await kube.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, name,
                fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        }
    }

    public async Task PatchRoutingAsync(string ns, string name, Routing routing, CancellationToken cancellationToken)
    {
        var kube = await client();
        var body = new JsonObject { ["status"] = new JsonObject { ["routing"] = RoutingJson.ToNode(routing) } };
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

    public async Task SetPolicyConditionsAsync(PatchPolicyConditions work, DateTime now, CancellationToken cancellationToken)
    {
        var kube = await client();
        try
        {
            var raw = await kube.CustomObjects.GetNamespacedCustomObjectAsync(GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, work.Namespace,
                GlobalTrafficPolicyResource.Plural, work.Name, cancellationToken);
            var json = raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw);
            var existing = JsonNode.Parse(json)?["status"]?["conditions"]?.Deserialize<List<Condition>>(RoutingJson.Options);
            var conditions = ConditionList.Set(existing, ConditionTypes.Valid, work.Valid.Status, work.Valid.Reason, work.Valid.Message, work.Generation, now);
            conditions = ConditionList.Set(conditions, ConditionTypes.ResolvedRefs, work.ResolvedRefs.Status, work.ResolvedRefs.Reason, work.ResolvedRefs.Message, work.Generation, now);
            if (ConditionList.SameState(existing, conditions))
            {
                return;
            }

            var status = new JsonObject { ["observedGeneration"] = work.Generation, ["conditions"] = JsonSerializer.SerializeToNode(conditions, RoutingJson.Options) };
            await kube.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
                GlobalTrafficPolicyResource.Group, GlobalTrafficPolicyResource.Version, work.Namespace, GlobalTrafficPolicyResource.Plural, work.Name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
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

using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Grains.Kubernetes;

/// <summary>Writes conditions into a custom resource's status subresource with a merge patch.</summary>
public static class StatusPatches
{
    public static async Task<List<Condition>?> ReadConditionsAsync(IKubernetes client, string plural, string? ns, string name, CancellationToken cancellationToken)
    {
        var raw = ns is null
            ? await client.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, plural, name, cancellationToken)
            : await client.CustomObjects.GetNamespacedCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ns, plural, name, cancellationToken);
        var json = raw is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(raw);
        var node = JsonNode.Parse(json);
        return node?["status"]?["conditions"]?.Deserialize<List<Condition>>(KubernetesJsonOptions);
    }

    public static async Task PatchStatusAsync(IKubernetes client, string plural, string? ns, string name, JsonObject status, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch);
        if (ns is null)
        {
            await client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, ClusterResource.Group, ClusterResource.Version, plural, name, cancellationToken: cancellationToken);
        }
        else
        {
            await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, ClusterResource.Group, ClusterResource.Version, ns, plural, name, cancellationToken: cancellationToken);
        }
    }

    public static JsonNode ToJson(IEnumerable<Condition> conditions) => JsonSerializer.SerializeToNode(conditions, KubernetesJsonOptions)!;

    private static readonly JsonSerializerOptions KubernetesJsonOptions = new(JsonSerializerDefaults.Web);
}

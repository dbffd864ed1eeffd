using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// The pods the workload controllers make from their pod templates: already scheduled to the cluster's one node and
/// Pending with an IP, so the simulated kubelet (or the container runtime) takes them from there.
/// </summary>
internal static class PodTemplates
{
    /// <summary>A copy of the template's spec, bound to the node; the caller adds what its controller sets.</summary>
    public static JsonObject Spec(SandboxCluster cluster, JsonObject template)
    {
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        spec["nodeName"] = $"{cluster.Name}-node";
        spec["restartPolicy"] ??= "Always";
        return spec;
    }

    /// <summary>The new pod: the caller's metadata and spec, a Pending status with a fresh pod IP, each container creating.</summary>
    public static JsonObject Pending(SandboxCluster cluster, JsonObject metadata, JsonObject spec)
    {
        var time = ObjectStore.FormatTime(cluster.Store.Now);
        var podIp = cluster.PodIps.Allocate();
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["phase"] = "Pending",
                ["hostIP"] = "127.0.0.1",
                ["podIP"] = podIp,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
                ["startTime"] = time,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = time }),
                ["containerStatuses"] = new JsonArray((spec["containers"] as JsonArray ?? []).Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c?["name"]?.DeepClone(),
                    ["image"] = c?["image"]?.DeepClone(),
                    ["ready"] = false,
                    ["started"] = false,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                }).ToArray()),
            },
        };
    }

    /// <summary>
    /// A stable short hash of a pod template: the pod-template-hash of a ReplicaSet, the controller-revision-hash of a
    /// StatefulSet revision.
    /// </summary>
    public static string Hash(JsonObject template)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(template.ToJsonString()));
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var value = BitConverter.ToUInt64(bytes, 0);
        var chars = new char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[(int)(value % (ulong)alphabet.Length)];
            value /= (ulong)alphabet.Length;
        }

        return new string(chars);
    }
}

using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>The kubelet's Events about a pod (Pulled, Created, Started, Killing, Unhealthy, BackOff, Failed), as kubectl describe shows them.</summary>
public sealed class KubeletEvents(ObjectStore store, string nodeName)
{
    public void Record(JsonObject pod, string type, string reason, string message, string? container = null)
    {
        var ns = pod["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        var name = pod["metadata"]?["name"]?.GetValue<string>() ?? "";
        var time = ObjectStore.FormatTime(store.Now);
        var involved = new JsonObject
        {
            ["kind"] = "Pod",
            ["namespace"] = ns,
            ["name"] = name,
            ["uid"] = pod["metadata"]?["uid"]?.DeepClone(),
            ["apiVersion"] = "v1",
        };
        if (container is not null)
        {
            involved["fieldPath"] = $"spec.containers{{{container}}}";
        }

        try
        {
            store.Create("events", ns, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = $"{name}.{Guid.NewGuid():N}"[..Math.Min(name.Length + 17, 253)], ["namespace"] = ns },
                ["involvedObject"] = involved,
                ["reason"] = reason,
                ["message"] = message,
                ["type"] = type,
                ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = nodeName },
                ["firstTimestamp"] = time,
                ["lastTimestamp"] = time,
                ["count"] = 1,
                ["reportingComponent"] = "kubelet",
                ["reportingInstance"] = nodeName,
            });
        }
        catch (Api.ApiException)
        {
            // The namespace is going away: nobody will read the event.
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The kubelet's Events about a pod (Pulled, Created, Started, Killing, Unhealthy, BackOff, Failed), as kubectl
/// describe shows them. A repeat of the same event counts up on the first one, as client-go's recorder aggregates,
/// so a probe failing every second does not grow the store without bound.
/// </summary>
public sealed class KubeletEvents(ObjectStore store, string nodeName)
{
    private readonly ConcurrentDictionary<(string Uid, string Reason, string Message, string? Container), string> _recorded = new();

    public void Record(JsonObject pod, string type, string reason, string message, string? container = null)
    {
        var ns = pod["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        var name = pod["metadata"]?["name"]?.GetValue<string>() ?? "";
        var time = ObjectStore.FormatTime(store.Now);
        var key = (pod["metadata"]?["uid"]?.GetValue<string>() ?? "", reason, message, container);
        if (_recorded.TryGetValue(key, out var existing))
        {
            try
            {
                store.Update("events", ns, existing, current =>
                {
                    current["count"] = (JsonTree.GetInt64(current, "count") ?? 1) + 1;
                    current["lastTimestamp"] = time;
                    return current;
                });
                return;
            }
            catch (Api.ApiException)
            {
                _recorded.TryRemove(key, out _);
            }
        }

        var eventName = $"{name}.{Guid.NewGuid():N}"[..Math.Min(name.Length + 17, 253)];
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
                ["metadata"] = new JsonObject { ["name"] = eventName, ["namespace"] = ns },
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
            _recorded[key] = eventName;
        }
        catch (Api.ApiException)
        {
            // The namespace is going away: nobody will read the event.
        }
    }

    /// <summary>Drops what was recorded about a pod that is gone.</summary>
    public void Forget(string uid)
    {
        foreach (var key in _recorded.Keys.Where(k => k.Uid == uid).ToList())
        {
            _recorded.TryRemove(key, out _);
        }
    }
}

using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The status fields the kubelet owns, computed from its container records: phase, the conditions
/// (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled, keeping transition times that did
/// not change), containerStatuses, initContainerStatuses and qosClass.
/// </summary>
public static class PodStatusBuilder
{
    public static JsonObject Build(JsonObject previous, IReadOnlyList<ContainerRecord> containers, IReadOnlyList<ContainerRecord> init,
        bool sandboxReady, bool initialized, string? sandboxProblem, string restartPolicy, DateTimeOffset now, bool deleting, string qosClass)
    {
        var time = ObjectStore.FormatTime(now);
        var phase = Phase(containers, init, initialized, restartPolicy);
        var unready = containers.Where(c => !c.Ready).Select(c => c.Name).ToList();
        var ready = unready.Count == 0 && phase == "Running";
        var old = previous["conditions"] as JsonArray;
        JsonObject Condition(string type, bool value, string? reason = null, string? message = null)
        {
            var status = value ? "True" : "False";
            var before = old?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
            var condition = new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = before?["status"]?.GetValue<string>() == status ? before["lastTransitionTime"]?.DeepClone() ?? time : time,
            };
            if (reason is not null)
            {
                condition["reason"] = reason;
            }

            if (message is not null)
            {
                condition["message"] = message;
            }

            return condition;
        }

        var completed = phase is "Succeeded" or "Failed";
        var notReadyReason = completed ? "PodCompleted" : "ContainersNotReady";
        var notReadyMessage = completed ? null : $"containers with unready status: [{string.Join(' ', unready)}]";
        var pendingInit = init.Where(i => i.State["terminated"]?["exitCode"]?.GetValue<int>() != 0).Select(i => i.Name).ToList();
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(
                Condition("PodReadyToStartContainers", sandboxReady && !(completed && deleting), sandboxProblem is null ? null : "RuntimeUnavailable", sandboxProblem),
                initialized ? Condition("Initialized", true) : Condition("Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', pendingInit)}]"),
                ready ? Condition("Ready", true) : Condition("Ready", false, notReadyReason, notReadyMessage),
                ready ? Condition("ContainersReady", true) : Condition("ContainersReady", false, notReadyReason, notReadyMessage),
                Condition("PodScheduled", true)),
            ["containerStatuses"] = new JsonArray(containers.Select(c => (JsonNode)Decorate(c, sandboxProblem)).ToArray()),
            ["qosClass"] = qosClass,
        };
        if (init.Count > 0)
        {
            status["initContainerStatuses"] = new JsonArray(init.Select(c => (JsonNode)Decorate(c, sandboxProblem)).ToArray());
        }

        return status;
    }

    private static JsonObject Decorate(ContainerRecord record, string? sandboxProblem)
    {
        var status = record.ToStatus();
        if (sandboxProblem is not null && record.State["waiting"] is JsonObject waiting)
        {
            waiting["message"] = sandboxProblem;
        }

        return status;
    }

    private static string Phase(IReadOnlyList<ContainerRecord> containers, IReadOnlyList<ContainerRecord> init, bool initialized, string restartPolicy)
    {
        if (!initialized)
        {
            return init.Any(i => i.Done && i.State["terminated"]?["exitCode"]?.GetValue<int>() is not (null or 0)) && restartPolicy == "Never" ? "Failed" : "Pending";
        }

        if (containers.Any(c => c.Running))
        {
            return "Running";
        }

        if (containers.Count > 0 && containers.All(c => c.Done && c.Terminated))
        {
            return containers.All(c => c.State["terminated"]?["exitCode"]?.GetValue<int>() == 0) ? "Succeeded" : "Failed";
        }

        return containers.Any(c => c.Previous is not null) ? "Running" : "Pending";
    }
}

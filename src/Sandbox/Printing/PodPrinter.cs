using System.Text.Json.Nodes;
using static ErieCanal.Orleans.Sandbox.Printing.JsonFields;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Port of printPod (pkg/printers/internalversion): READY, STATUS and RESTARTS follow the same container walk.</summary>
internal static class PodPrinter
{
    public static readonly KindPrinter Printer = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            StandardColumns.Text("Status", "The aggregate status of the containers in this pod."),
            StandardColumns.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            StandardColumns.Age,
            StandardColumns.Text("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
            StandardColumns.Text("Node", "NodeName indicates in which node this pod is scheduled.", 1),
            StandardColumns.Text("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
            StandardColumns.Text("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
        ],
        Cells,
        Conditions);

    private static JsonNode?[] Cells(JsonObject pod, DateTimeOffset now)
    {
        var spec = pod["spec"];
        var status = pod["status"];
        var phase = Str(status, "phase") ?? "";
        var reason = StrOr(phase, status, "reason");
        var total = Count(spec, "containers");
        var ready = 0;
        var restarts = 0L;
        DateTimeOffset? lastRestart = null;

        if (Items(status, "conditions").Any(c => Str(c, "type") == "PodScheduled" && Str(c, "reason") == "SchedulingGated"))
            reason = "SchedulingGated";

        // Sidecars (restartPolicy: Always init containers) count as regular containers once started.
        var sidecars = Items(spec, "initContainers")
            .Where(c => Str(c, "restartPolicy") == "Always")
            .Select(c => Str(c, "name"))
            .ToHashSet();
        total += sidecars.Count;
        var initCount = Count(spec, "initContainers");

        var sidecarRestarts = 0L;
        DateTimeOffset? lastSidecarRestart = null;
        var initializing = false;
        var index = 0;
        foreach (var c in Items(status, "initContainerStatuses"))
        {
            var i = index++;
            var isSidecar = sidecars.Contains(Str(c, "name"));
            restarts += Long(c, "restartCount") ?? 0;
            lastRestart = Latest(lastRestart, c);
            if (isSidecar)
            {
                sidecarRestarts += Long(c, "restartCount") ?? 0;
                lastSidecarRestart = Latest(lastSidecarRestart, c);
            }

            var terminated = At(c, "state", "terminated");
            var waitingReason = Str(c, "state", "waiting", "reason");
            if (terminated is not null && (Long(terminated, "exitCode") ?? 0) == 0)
                continue;
            if (isSidecar && Bool(c, "started") == true)
            {
                if (Bool(c, "ready") == true)
                    ready++;
                continue;
            }
            initializing = true;
            if (terminated is not null)
                reason = Str(terminated, "reason") is { Length: > 0 } r ? "Init:" + r : "Init:" + ExitText(terminated);
            else if (waitingReason is { Length: > 0 } && waitingReason != "PodInitializing")
                reason = "Init:" + waitingReason;
            else
                reason = $"Init:{i}/{initCount}";
            break;
        }

        if (!initializing || HasCondition(status, "Initialized"))
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            foreach (var c in Items(status, "containerStatuses").Reverse())
            {
                restarts += Long(c, "restartCount") ?? 0;
                lastRestart = Latest(lastRestart, c);
                var terminated = At(c, "state", "terminated");
                if (Str(c, "state", "waiting", "reason") is { Length: > 0 } waiting)
                    reason = waiting;
                else if (terminated is not null)
                    reason = Str(terminated, "reason") is { Length: > 0 } r ? r : ExitText(terminated);
                else if (Bool(c, "ready") == true && At(c, "state", "running") is not null)
                {
                    hasRunning = true;
                    ready++;
                }
            }
            // A completed container next to a still-running one must not make the pod look finished.
            if (reason == "Completed" && hasRunning)
                reason = HasCondition(status, "Ready") ? "Running" : "NotReady";
        }

        var deleting = At(pod, "metadata", "deletionTimestamp") is not null;
        if (deleting && Str(status, "reason") == "NodeLost")
            reason = "Unknown";
        else if (deleting && phase is not ("Succeeded" or "Failed"))
            reason = "Terminating";

        var restartText = restarts != 0 && lastRestart is { } at
            ? $"{restarts} ({HumanDuration.Format(now - at)} ago)"
            : restarts.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var podIp = Items(status, "podIPs").Select(p => Str(p, "ip")).FirstOrDefault() ?? Str(status, "podIP");
        var gates = Items(spec, "readinessGates").Select(g => Str(g, "conditionType")).ToList();
        var gateText = gates.Count == 0 ? "<none>" : $"{gates.Count(g => ConditionStatus(status, g) == "True")}/{gates.Count}";

        return
        [
            StrOr("", pod, "metadata", "name"),
            $"{ready}/{total}",
            reason,
            restartText,
            HumanDuration.Since(Str(pod, "metadata", "creationTimestamp"), now),
            string.IsNullOrEmpty(podIp) ? "<none>" : podIp,
            StrOr("<none>", spec, "nodeName"),
            StrOr("<none>", status, "nominatedNodeName"),
            gateText,
        ];
    }

    // Finished pods carry a Completed row condition, as the real printer adds.
    private static JsonArray? Conditions(JsonObject pod) => Str(pod, "status", "phase") switch
    {
        "Succeeded" => [Completed("Succeeded", "The pod has completed successfully.")],
        "Failed" => [Completed("Failed", "The pod failed.")],
        _ => null,
    };

    private static JsonObject Completed(string reason, string message) =>
        new() { ["type"] = "Completed", ["status"] = "True", ["reason"] = reason, ["message"] = message };

    private static string ExitText(JsonNode terminated) =>
        (Long(terminated, "signal") ?? 0) is var signal and not 0 ? $"Signal:{signal}" : $"ExitCode:{Long(terminated, "exitCode") ?? 0}";

    private static DateTimeOffset? Latest(DateTimeOffset? current, JsonNode? containerStatus) =>
        Timestamps.TryParse(Str(containerStatus, "lastState", "terminated", "finishedAt"), out var finished)
            && (current is null || finished > current) ? finished : current;

    private static string? ConditionStatus(JsonNode? status, string? type) =>
        Items(status, "conditions").Where(c => Str(c, "type") == type).Select(c => Str(c, "status")).FirstOrDefault();

    private static bool HasCondition(JsonNode? status, string type) => ConditionStatus(status, type) == "True";
}

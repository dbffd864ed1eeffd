using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Pods;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// Deployments get a ReplicaSet per pod template, ReplicaSets get pods, pods get an IP and turn Ready after the
/// cluster's configured delay (and, for pods with ports, once they listen). Enough of kube-controller-manager for Services to have real endpoints.
/// </summary>
public sealed class WorkloadController(SandboxCluster cluster) : IClusterController
{
    private const string Deployments = "deployments.apps";
    private const string ReplicaSets = "replicasets.apps";
    private const string Pods = "pods";
    private static readonly TimeSpan ReadinessProbePeriod = TimeSpan.FromMilliseconds(50);

    private ObjectStore Store => cluster.Store;

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        switch (e.StorageKey)
        {
            case Deployments:
                QueueDeployment(queue, e.Namespace, e.Name);
                break;
            case ReplicaSets:
                QueueReplicaSet(queue, e.Namespace, e.Name);
                if (Owner(e.Object, "Deployment") is { } deployment)
                {
                    QueueDeployment(queue, e.Namespace, deployment);
                }

                break;
            case Pods:
                if (Owner(e.Object, "ReplicaSet") is { } replicaSet)
                {
                    QueueReplicaSet(queue, e.Namespace, replicaSet);
                }

                if (e.Type == StoreEventType.Added && e.Object["status"]?["phase"]?.GetValue<string>() == "Pending" && !cluster.Kubelet.Runs(e.Object))
                {
                    QueueReady(queue, cluster.Options.PodReadyDelay, e.Namespace, e.Name);
                }

                break;
        }
    }

    private void QueueDeployment(WorkQueue queue, string ns, string name) => queue.Enqueue($"deploy/{ns}/{name}", () => ReconcileDeployment(ns, name));

    private void QueueReplicaSet(WorkQueue queue, string ns, string name) => queue.Enqueue($"rs/{ns}/{name}", () => ReconcileReplicaSet(ns, name));

    private void ReconcileDeployment(string ns, string name)
    {
        var deployment = Store.Get(Deployments, ns, name);
        if (deployment is null || StoreOps.Deleting(deployment))
        {
            return;
        }

        var template = deployment["spec"]?["template"]?.DeepClone() as JsonObject ?? [];
        var hash = PodTemplates.Hash(template);
        var replicas = JsonTree.GetInt64(deployment, "spec", "replicas") ?? 1;
        var uid = StoreOps.Uid(deployment);
        var owned = Store.List(ReplicaSets, ns).Items.Where(rs => StoreOps.OwnedBy(rs, uid)).ToList();
        var currentName = $"{name}-{hash}";
        if (owned.All(rs => StoreOps.Name(rs) != currentName))
        {
            var labels = JsonTree.EnsureObject(JsonTree.EnsureObject(template, "metadata"), "labels");
            labels["pod-template-hash"] = hash;
            var selector = deployment["spec"]?["selector"]?.DeepClone() as JsonObject ?? [];
            JsonTree.EnsureObject(selector, "matchLabels")["pod-template-hash"] = hash;
            StoreOps.TryCreate(Store, ReplicaSets, ns, new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = currentName,
                    ["namespace"] = ns,
                    ["labels"] = labels.DeepClone(),
                    ["ownerReferences"] = new JsonArray(StoreOps.OwnerReference(deployment, "apps/v1", "Deployment")),
                    ["generation"] = 1,
                },
                ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
            });
        }

        foreach (var rs in owned)
        {
            var want = StoreOps.Name(rs) == currentName ? replicas : 0;
            if (JsonTree.GetInt64(rs, "spec", "replicas") != want)
            {
                StoreOps.TryUpdate(Store, ReplicaSets, ns, StoreOps.Name(rs), current =>
                {
                    current["spec"]!["replicas"] = want;
                    current["metadata"]!["generation"] = (JsonTree.GetInt64(current, "metadata", "generation") ?? 1) + 1;
                    return current;
                });
            }
        }

        long total = 0, ready = 0, updated = 0;
        foreach (var rs in Store.List(ReplicaSets, ns).Items.Where(rs => StoreOps.OwnedBy(rs, uid)))
        {
            total += JsonTree.GetInt64(rs, "status", "replicas") ?? 0;
            ready += JsonTree.GetInt64(rs, "status", "readyReplicas") ?? 0;
            if (StoreOps.Name(rs) == currentName)
            {
                updated = JsonTree.GetInt64(rs, "status", "replicas") ?? 0;
            }
        }

        var available = ready >= replicas;
        var time = ObjectStore.FormatTime(Store.Now);
        var previous = deployment["status"]?["conditions"] as JsonArray;
        var status = new JsonObject
        {
            ["observedGeneration"] = JsonTree.GetInt64(deployment, "metadata", "generation") ?? 1,
            ["replicas"] = total,
            ["updatedReplicas"] = updated,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["unavailableReplicas"] = Math.Max(0, replicas - ready),
            ["conditions"] = new JsonArray(
                Condition(previous, "Available", available ? "True" : "False", available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                    available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", time),
                Condition(previous, "Progressing", "True", updated >= replicas ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                    $"ReplicaSet \"{currentName}\" {(updated >= replicas ? "has successfully progressed." : "is progressing.")}", time)),
        };
        if (status["readyReplicas"]!.GetValue<long>() == 0)
        {
            status.Remove("readyReplicas");
            status.Remove("availableReplicas");
        }

        if (!JsonNode.DeepEquals(status, deployment["status"]))
        {
            StoreOps.SetStatus(Store, Deployments, ns, name, status);
        }
    }

    private void ReconcileReplicaSet(string ns, string name)
    {
        var rs = Store.Get(ReplicaSets, ns, name);
        if (rs is null || StoreOps.Deleting(rs))
        {
            return;
        }

        var uid = StoreOps.Uid(rs);
        var pods = Store.List(Pods, ns).Items.Where(p => StoreOps.OwnedBy(p, uid) && !StoreOps.Deleting(p)).ToList();
        var want = JsonTree.GetInt64(rs, "spec", "replicas") ?? 0;
        for (var i = pods.Count; i < want; i++)
        {
            CreatePod(rs, ns, name);
        }

        foreach (var extra in pods.OrderByDescending(p => p["metadata"]?["creationTimestamp"]?.GetValue<string>(), StringComparer.Ordinal).Take(Math.Max(0, pods.Count - (int)want)))
        {
            if (cluster.Kubelet.Runs(extra) && cluster.Catalog.FindByStorageKey(Pods) is { } podType)
            {
                // A real container stops gracefully: the pod is marked and its kubelet removes it.
                try
                {
                    cluster.Deleter.DeleteOne(podType, ns, StoreOps.Name(extra), null, dryRun: false);
                }
                catch (Api.ApiException ex) when (ex.Code == 404)
                {
                }
            }
            else
            {
                StoreOps.TryRemove(Store, Pods, ns, StoreOps.Name(extra));
            }
        }

        pods = Store.List(Pods, ns).Items.Where(p => StoreOps.OwnedBy(p, uid) && !StoreOps.Deleting(p)).ToList();
        var ready = pods.Count(IsReady);
        var status = new JsonObject
        {
            ["replicas"] = pods.Count,
            ["fullyLabeledReplicas"] = pods.Count,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["observedGeneration"] = JsonTree.GetInt64(rs, "metadata", "generation") ?? 1,
            ["selector"] = rs["spec"]?["selector"]?["matchLabels"] is JsonObject m ? string.Join(",", m.Select(kv => $"{kv.Key}={kv.Value}")) : "",
        };
        if (!JsonNode.DeepEquals(status, rs["status"]))
        {
            StoreOps.SetStatus(Store, ReplicaSets, ns, name, status);
        }
    }

    private void CreatePod(JsonObject rs, string ns, string rsName)
    {
        var template = rs["spec"]?["template"] as JsonObject ?? [];
        var spec = PodTemplates.Spec(cluster, template);
        StoreOps.TryCreate(Store, Pods, ns, PodTemplates.Pending(cluster, new JsonObject
        {
            ["generateName"] = rsName + "-",
            ["namespace"] = ns,
            ["labels"] = template["metadata"]?["labels"]?.DeepClone(),
            ["ownerReferences"] = new JsonArray(StoreOps.OwnerReference(rs, "apps/v1", "ReplicaSet")),
        }, spec));
    }

    private void QueueReady(WorkQueue queue, TimeSpan delay, string ns, string name) =>
        queue.EnqueueAfter(delay, $"pod-ready/{ns}/{name}", () => MarkReady(queue, ns, name), cluster.Stopping);

    private void MarkReady(WorkQueue queue, string ns, string name)
    {
        // The readiness probe: a pod with ports is Ready only once its server listens.
        if (Store.Get(Pods, ns, name) is { } pending && !StoreOps.Deleting(pending)
            && PodServers.DeclaredPorts(pending).Count > 0 && !cluster.PodServers.IsServing(ns, name, StoreOps.Uid(pending)))
        {
            QueueReady(queue, ReadinessProbePeriod, ns, name);
            return;
        }

        StoreOps.TryUpdate(Store, Pods, ns, name, pod =>
        {
            if (StoreOps.Deleting(pod) || pod["status"]?["phase"]?.GetValue<string>() != "Pending")
            {
                return pod;
            }

            var time = ObjectStore.FormatTime(Store.Now);
            var status = pod["status"]!.AsObject();
            status["phase"] = "Running";
            status["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = time },
                new JsonObject { ["type"] = "Initialized", ["status"] = "True", ["lastTransitionTime"] = time },
                new JsonObject { ["type"] = "ContainersReady", ["status"] = "True", ["lastTransitionTime"] = time },
                new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastTransitionTime"] = time });
            foreach (var container in (status["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                container["ready"] = true;
                container["started"] = true;
                container["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = time } };
            }

            return pod;
        });
    }

    public static bool IsReady(JsonObject pod) =>
        pod["status"]?["conditions"] is JsonArray conditions
        && conditions.Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");

    private static string? Owner(JsonObject obj, string kind) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.FirstOrDefault(r => r?["kind"]?.GetValue<string>() == kind)?["name"]?.GetValue<string>();

    private static JsonObject Condition(JsonArray? previous, string type, string status, string reason, string message, string time)
    {
        var old = previous?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
        var transition = old?["status"]?.GetValue<string>() == status ? old["lastTransitionTime"]?.GetValue<string>() ?? time : time;
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = transition,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        };
    }
}

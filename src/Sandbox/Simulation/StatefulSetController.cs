using System.Globalization;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// kube-controller-manager's StatefulSet controller: pods named by ordinal with stable hostnames, a PVC per claim
/// template and ordinal that outlives its pod, OrderedReady (one at a time, in order, each waiting for the previous
/// to be Ready; scale down in reverse) or Parallel pod management, ControllerRevisions per template, and RollingUpdate
/// (from the highest ordinal down to the partition, one pod at a time, each waiting for Ready) or OnDelete updates.
/// Pods are created Pending like the ReplicaSet's, so the same simulated kubelet (or container runtime) runs them.
/// </summary>
public sealed class StatefulSetController(SandboxCluster cluster) : IClusterController
{
    public const string RevisionLabel = "controller-revision-hash";
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";
    private const string StatefulSets = "statefulsets.apps";
    private const string Revisions = "controllerrevisions.apps";
    private const string Pods = "pods";
    private const string Claims = "persistentvolumeclaims";

    private ObjectStore Store => cluster.Store;

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        switch (e.StorageKey)
        {
            case StatefulSets:
                Queue(queue, e.Namespace, e.Name);
                break;
            case Pods:
                if ((e.Object["metadata"]?["ownerReferences"] as JsonArray)?.FirstOrDefault(r => r?["kind"]?.GetValue<string>() == "StatefulSet")?["name"]?.GetValue<string>() is { } owner)
                {
                    Queue(queue, e.Namespace, owner);
                }

                break;
        }
    }

    private void Queue(WorkQueue queue, string ns, string name) => queue.Enqueue($"sts/{ns}/{name}", () => Reconcile(ns, name));

    private void Reconcile(string ns, string name)
    {
        var sts = Store.Get(StatefulSets, ns, name);
        if (sts is null || StoreOps.Deleting(sts))
        {
            return;
        }

        var spec = sts["spec"] as JsonObject ?? [];
        var replicas = (int)(JsonTree.GetInt64(sts, "spec", "replicas") ?? 1);
        var ordered = spec["podManagementPolicy"]?.GetValue<string>() != "Parallel";
        var rolling = spec["updateStrategy"]?["type"]?.GetValue<string>() != "OnDelete";
        var partition = rolling ? (int)(JsonTree.GetInt64(sts, "spec", "updateStrategy", "rollingUpdate", "partition") ?? 0) : 0;
        var updateTemplate = spec["template"] as JsonObject ?? [];
        var updateRevision = EnsureRevision(sts, updateTemplate);
        var currentRevision = sts["status"]?["currentRevision"]?.GetValue<string>() ?? updateRevision;
        var currentTemplate = currentRevision == updateRevision
            ? updateTemplate
            : Store.Get(Revisions, ns, currentRevision)?["data"]?["spec"]?["template"] as JsonObject ?? updateTemplate;

        var pods = OwnedPods(sts);
        var settled = true;
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (!pods.TryGetValue(ordinal, out var pod))
            {
                var revision = rolling && ordinal < partition ? currentRevision : updateRevision;
                CreatePod(sts, ordinal, revision, revision == updateRevision ? updateTemplate : currentTemplate);
                settled = false;
                if (ordered)
                {
                    break;
                }

                continue;
            }

            if (IsFinished(pod) && !StoreOps.Deleting(pod))
            {
                // A failed pod is replaced under the same name: delete it now, recreate once it is gone.
                DeletePod(ns, StoreOps.Name(pod));
            }

            if (StoreOps.Deleting(pod) || !WorkloadController.IsReady(pod))
            {
                settled = false;
                if (ordered)
                {
                    break;
                }
            }
        }

        var condemned = pods.Where(p => p.Key >= replicas).OrderByDescending(p => p.Key).Select(p => p.Value).ToList();
        if (!ordered)
        {
            condemned.Where(p => !StoreOps.Deleting(p)).ToList().ForEach(p => DeletePod(ns, StoreOps.Name(p)));
        }
        else if (settled && condemned.Count > 0 && !condemned.Any(StoreOps.Deleting))
        {
            DeletePod(ns, StoreOps.Name(condemned[0]));
        }

        if (rolling && settled && condemned.Count == 0)
        {
            // maxUnavailable 1: one outdated pod at a time, from the highest ordinal down to the partition.
            for (var ordinal = replicas - 1; ordinal >= partition; ordinal--)
            {
                if (pods.TryGetValue(ordinal, out var pod) && Label(pod, RevisionLabel) != updateRevision)
                {
                    DeletePod(ns, StoreOps.Name(pod));
                    break;
                }
            }
        }

        WriteStatus(sts, replicas, currentRevision, updateRevision);
    }

    private void WriteStatus(JsonObject sts, int replicas, string currentRevision, string updateRevision)
    {
        var ns = sts["metadata"]!["namespace"]!.GetValue<string>();
        var name = StoreOps.Name(sts);
        var pods = OwnedPods(sts).Values.Where(p => !StoreOps.Deleting(p)).ToList();
        var ready = pods.Count(WorkloadController.IsReady);
        var updated = pods.Count(p => Label(p, RevisionLabel) == updateRevision);
        var current = pods.Count(p => Label(p, RevisionLabel) == currentRevision);
        if (updated == replicas && pods.Count == replicas && ready == replicas)
        {
            // The update is complete: the update revision becomes the current one.
            currentRevision = updateRevision;
            current = updated;
        }

        var status = new JsonObject
        {
            ["observedGeneration"] = JsonTree.GetInt64(sts, "metadata", "generation") ?? 1,
            ["replicas"] = pods.Count,
            ["readyReplicas"] = ready,
            ["currentReplicas"] = current,
            ["updatedReplicas"] = updated,
            ["availableReplicas"] = ready,
            ["currentRevision"] = currentRevision,
            ["updateRevision"] = updateRevision,
            ["collisionCount"] = 0,
        };
        foreach (var zero in new[] { "readyReplicas", "currentReplicas", "updatedReplicas" })
        {
            if (status[zero]!.GetValue<int>() == 0)
            {
                // Go's omitempty: a real server leaves zero counts out.
                status.Remove(zero);
            }
        }

        if (!JsonNode.DeepEquals(status, sts["status"]))
        {
            StoreOps.SetStatus(Store, StatefulSets, ns, name, status);
        }
    }

    /// <summary>The ControllerRevision of a template (created, or renumbered when an old one comes back); its name.</summary>
    private string EnsureRevision(JsonObject sts, JsonObject template)
    {
        var ns = sts["metadata"]!["namespace"]!.GetValue<string>();
        var hash = PodTemplates.Hash(template);
        var name = $"{StoreOps.Name(sts)}-{hash}";
        var uid = StoreOps.Uid(sts);
        var owned = Store.List(Revisions, ns).Items.Where(r => StoreOps.OwnedBy(r, uid)).ToList();
        var latest = owned.Select(r => JsonTree.GetInt64(r, "revision") ?? 0).DefaultIfEmpty(0).Max();
        var existing = owned.FirstOrDefault(r => StoreOps.Name(r) == name);
        if (existing is null)
        {
            var labels = sts["spec"]?["selector"]?["matchLabels"]?.DeepClone() as JsonObject ?? [];
            labels["controller.kubernetes.io/hash"] = hash;
            var data = new JsonObject { ["spec"] = new JsonObject { ["template"] = template.DeepClone() } };
            data["spec"]!["template"]!["$patch"] = "replace";
            StoreOps.TryCreate(Store, Revisions, ns, new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ControllerRevision",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = ns,
                    ["labels"] = labels,
                    ["ownerReferences"] = new JsonArray(StoreOps.OwnerReference(sts, "apps/v1", "StatefulSet")),
                },
                ["data"] = data,
                ["revision"] = latest + 1,
            });
        }
        else if ((JsonTree.GetInt64(existing, "revision") ?? 0) < latest && sts["status"]?["updateRevision"]?.GetValue<string>() != name)
        {
            StoreOps.TryUpdate(Store, Revisions, ns, name, r =>
            {
                r["revision"] = latest + 1;
                return r;
            });
        }

        return name;
    }

    private Dictionary<int, JsonObject> OwnedPods(JsonObject sts)
    {
        var ns = sts["metadata"]!["namespace"]!.GetValue<string>();
        var prefix = StoreOps.Name(sts) + "-";
        var uid = StoreOps.Uid(sts);
        var pods = new Dictionary<int, JsonObject>();
        foreach (var pod in Store.List(Pods, ns).Items.Where(p => StoreOps.OwnedBy(p, uid)))
        {
            var podName = StoreOps.Name(pod);
            if (podName.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(podName.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
            {
                pods[ordinal] = pod;
            }
        }

        return pods;
    }

    private void CreatePod(JsonObject sts, int ordinal, string revision, JsonObject template)
    {
        var ns = sts["metadata"]!["namespace"]!.GetValue<string>();
        var stsName = StoreOps.Name(sts);
        var podName = $"{stsName}-{ordinal}";
        var spec = PodTemplates.Spec(cluster, template);
        spec["hostname"] = podName;
        spec["serviceAccountName"] ??= "default";
        spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
        if (sts["spec"]?["serviceName"]?.GetValue<string>() is { Length: > 0 } serviceName)
        {
            spec["subdomain"] = serviceName;
        }

        var volumes = spec["volumes"] as JsonArray ?? [];
        foreach (var claimTemplate in (sts["spec"]?["volumeClaimTemplates"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var volumeName = claimTemplate["metadata"]?["name"]?.GetValue<string>() ?? "";
            var claimName = $"{volumeName}-{podName}";
            EnsureClaim(sts, claimTemplate, claimName);
            foreach (var same in volumes.Where(v => v?["name"]?.GetValue<string>() == volumeName).ToList())
            {
                volumes.Remove(same);
            }

            volumes.Add(new JsonObject { ["name"] = volumeName, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = claimName } });
        }

        if (volumes.Count > 0)
        {
            spec["volumes"] = volumes;
        }

        var labels = template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        labels[RevisionLabel] = revision;
        labels[PodNameLabel] = podName;
        labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        StoreOps.TryCreate(Store, Pods, ns, PodTemplates.Pending(cluster, new JsonObject
        {
            ["name"] = podName,
            ["namespace"] = ns,
            ["labels"] = labels,
            ["annotations"] = template["metadata"]?["annotations"]?.DeepClone(),
            ["ownerReferences"] = new JsonArray(StoreOps.OwnerReference(sts, "apps/v1", "StatefulSet")),
        }, spec));
    }

    /// <summary>The claim of one template and ordinal: created once, never owned by the pod, so it survives it.</summary>
    private void EnsureClaim(JsonObject sts, JsonObject claimTemplate, string claimName)
    {
        var ns = sts["metadata"]!["namespace"]!.GetValue<string>();
        if (Store.Get(Claims, ns, claimName) is not null)
        {
            return;
        }

        var claim = (JsonObject)claimTemplate.DeepClone();
        var metadata = JsonTree.EnsureObject(claim, "metadata");
        metadata["name"] = claimName;
        metadata["namespace"] = ns;
        var labels = JsonTree.EnsureObject(metadata, "labels");
        foreach (var (key, value) in sts["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [])
        {
            labels[key] = value?.DeepClone();
        }

        claim["apiVersion"] = "v1";
        claim["kind"] = "PersistentVolumeClaim";
        JsonTree.EnsureObject(claim, "spec")["volumeMode"] ??= "Filesystem";
        claim["status"] = new JsonObject { ["phase"] = "Pending" };
        StoreOps.TryCreate(Store, Claims, ns, claim);
    }

    private void DeletePod(string ns, string name)
    {
        try
        {
            cluster.Deleter.DeleteOne(cluster.Catalog.Find("", "v1", Pods)!, ns, name, null, dryRun: false);
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
        }
    }

    private static bool IsFinished(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>() is "Failed" or "Succeeded";

    private static string? Label(JsonObject obj, string key) => obj["metadata"]?["labels"]?[key]?.GetValue<string>();
}

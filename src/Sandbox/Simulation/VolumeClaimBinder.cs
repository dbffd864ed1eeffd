using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// The persistent-volume binder with a provisioner that never runs out: a claim is bound at once to a volume named
/// after it (pvc-&lt;uid&gt;), with the capacity and access modes it asked for.
/// </summary>
public sealed class VolumeClaimBinder(SandboxCluster cluster) : IClusterController
{
    private const string Claims = "persistentvolumeclaims";

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        if (e.StorageKey == Claims && e.Type != StoreEventType.Deleted && e.Object["status"]?["phase"]?.GetValue<string>() != "Bound")
        {
            var (ns, name) = (e.Namespace, e.Name);
            queue.Enqueue($"pvc-bind/{ns}/{name}", () => Bind(ns, name));
        }
    }

    private void Bind(string ns, string name) => StoreOps.TryUpdate(cluster.Store, Claims, ns, name, claim =>
    {
        if (StoreOps.Deleting(claim) || claim["status"]?["phase"]?.GetValue<string>() == "Bound")
        {
            return claim;
        }

        var spec = JsonTree.EnsureObject(claim, "spec");
        spec["volumeName"] ??= $"pvc-{StoreOps.Uid(claim)}";
        var annotations = JsonTree.EnsureObject(JsonTree.EnsureObject(claim, "metadata"), "annotations");
        annotations["pv.kubernetes.io/bind-completed"] = "yes";
        annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
        claim["status"] = new JsonObject
        {
            ["phase"] = "Bound",
            ["accessModes"] = spec["accessModes"]?.DeepClone() ?? new JsonArray("ReadWriteOnce"),
            ["capacity"] = new JsonObject { ["storage"] = spec["resources"]?["requests"]?["storage"]?.DeepClone() ?? "1Gi" },
        };
        return claim;
    });
}

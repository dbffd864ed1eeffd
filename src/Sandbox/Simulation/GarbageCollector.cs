using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Resources;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// Cascading deletion and finalization: dependents go when their owner goes (background or foreground),
/// a terminating namespace is emptied and then removed, a deleted CRD takes its objects with it, and a new CRD
/// is marked Established.
/// </summary>
public sealed class GarbageCollector(SandboxCluster cluster) : IClusterController
{
    private const string ForegroundFinalizer = "foregroundDeletion";

    private ObjectStore Store => cluster.Store;

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        var uid = StoreOps.Uid(e.Object);
        if (e.Type == StoreEventType.Deleted)
        {
            queue.Enqueue($"gc/{uid}", () => DeleteDependents(uid));
            foreach (var owner in Owners(e.Object))
            {
                queue.Enqueue($"fg/{owner}", () => FinishForeground(owner));
            }
        }
        else if (StoreOps.Deleting(e.Object) && HasFinalizer(e.Object, ForegroundFinalizer))
        {
            queue.Enqueue($"gc/{uid}", () => DeleteDependents(uid));
            queue.Enqueue($"fg/{uid}", () => FinishForeground(uid));
        }

        if (e.StorageKey == "namespaces" && e.Type != StoreEventType.Deleted && StoreOps.Deleting(e.Object))
        {
            queue.Enqueue($"ns/{e.Name}", () => FinalizeNamespace(e.Name));
        }
        else if (e.Namespace.Length > 0 && e.Type == StoreEventType.Deleted)
        {
            var ns = e.Namespace;
            queue.Enqueue($"ns/{ns}", () => FinalizeNamespace(ns));
        }

        if (e.StorageKey == CrdRegistrar.StorageKey)
        {
            var name = e.Name;
            var spec = e.Object["spec"] as JsonObject;
            if (e.Type == StoreEventType.Deleted)
            {
                var plural = spec?["names"]?["plural"]?.GetValue<string>();
                var group = spec?["group"]?.GetValue<string>();
                queue.Enqueue($"crd-cleanup/{name}", () => RemoveAllOf($"{plural}.{group}"));
            }
            else if (e.Object["status"]?["conditions"] is not JsonArray { Count: > 0 })
            {
                queue.Enqueue($"crd-status/{name}", () => StoreOps.TryUpdate(Store, CrdRegistrar.StorageKey, "", name, crd =>
                {
                    crd["status"] = CrdRegistrar.EstablishedStatus(crd, Store.Now);
                    return crd;
                }));
            }
        }
    }

    private void DeleteDependents(string ownerUid)
    {
        foreach (var key in Store.StorageKeys())
        {
            var type = cluster.Catalog.FindByStorageKey(key);
            foreach (var dependent in Store.List(key, null).Items.Where(o => StoreOps.OwnedBy(o, ownerUid) && !StoreOps.Deleting(o)))
            {
                var ns = dependent["metadata"]?["namespace"]?.GetValue<string>() ?? "";
                if (type is null)
                {
                    StoreOps.TryRemove(Store, key, ns, StoreOps.Name(dependent));
                    continue;
                }

                try
                {
                    cluster.Deleter.DeleteOne(type, ns, StoreOps.Name(dependent), null, dryRun: false);
                }
                catch (Api.ApiException ex) when (ex.Code == 404)
                {
                }
            }
        }
    }

    /// <summary>Removes the foregroundDeletion finalizer once an owner has no dependents left.</summary>
    private void FinishForeground(string ownerUid)
    {
        foreach (var key in Store.StorageKeys())
        {
            foreach (var owner in Store.List(key, null).Items.Where(o => StoreOps.Uid(o) == ownerUid && StoreOps.Deleting(o) && HasFinalizer(o, ForegroundFinalizer)))
            {
                var remaining = Store.StorageKeys().Any(k => Store.List(k, null).Items.Any(o => StoreOps.OwnedBy(o, ownerUid)));
                if (remaining)
                {
                    return;
                }

                var ns = owner["metadata"]?["namespace"]?.GetValue<string>() ?? "";
                StoreOps.TryUpdate(Store, key, ns, StoreOps.Name(owner), current =>
                {
                    var finalizers = current["metadata"]?["finalizers"] as JsonArray ?? [];
                    var kept = finalizers.Where(f => f?.GetValue<string>() != ForegroundFinalizer).Select(f => f?.DeepClone()).ToArray();
                    current["metadata"]!["finalizers"] = new JsonArray(kept);
                    return kept.Length == 0 ? null : current;
                });
            }
        }
    }

    private void FinalizeNamespace(string ns)
    {
        var namespaceObject = Store.Get("namespaces", "", ns);
        if (namespaceObject is null || !StoreOps.Deleting(namespaceObject))
        {
            return;
        }

        foreach (var key in Store.StorageKeys())
        {
            var type = cluster.Catalog.FindByStorageKey(key);
            foreach (var obj in Store.List(key, ns).Items.Where(o => !StoreOps.Deleting(o)))
            {
                if (type is null)
                {
                    StoreOps.TryRemove(Store, key, ns, StoreOps.Name(obj));
                    continue;
                }

                try
                {
                    cluster.Deleter.DeleteOne(type, ns, StoreOps.Name(obj), null, dryRun: false);
                }
                catch (Api.ApiException ex) when (ex.Code == 404)
                {
                }
            }
        }

        if (!Store.NamespaceHasObjects(ns))
        {
            StoreOps.TryUpdate(Store, "namespaces", "", ns, current =>
            {
                JsonTree.EnsureObject(current, "spec")["finalizers"] = new JsonArray();
                return current["metadata"]?["finalizers"] is JsonArray { Count: > 0 } ? current : null;
            });
        }
    }

    private void RemoveAllOf(string storageKey)
    {
        foreach (var obj in Store.List(storageKey, null).Items)
        {
            StoreOps.TryRemove(Store, storageKey, obj["metadata"]?["namespace"]?.GetValue<string>() ?? "", StoreOps.Name(obj));
        }
    }

    private static IEnumerable<string> Owners(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).Select(r => r?["uid"]?.GetValue<string>()).OfType<string>();

    private static bool HasFinalizer(JsonObject obj, string finalizer) =>
        obj["metadata"]?["finalizers"] is JsonArray finalizers && finalizers.Any(f => f?.GetValue<string>() == finalizer);
}

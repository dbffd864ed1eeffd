using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>kube-controller-manager's serviceaccount controller: every active namespace has a "default" ServiceAccount, recreated when deleted.</summary>
public sealed class ServiceAccountController(SandboxCluster cluster) : IClusterController
{
    public const string DefaultName = "default";
    private const string ServiceAccounts = "serviceaccounts";

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        var ns = e.StorageKey switch
        {
            "namespaces" when e.Type != StoreEventType.Deleted => e.Name,
            ServiceAccounts when e.Type == StoreEventType.Deleted && e.Name == DefaultName => e.Namespace,
            _ => null,
        };
        if (ns is not null)
        {
            queue.Enqueue($"sa-default/{ns}", () => EnsureDefault(cluster.Store, ns));
        }
    }

    /// <summary>Creates the namespace's default ServiceAccount unless it exists or the namespace is going away.</summary>
    public static void EnsureDefault(ObjectStore store, string ns)
    {
        if (store.Get("namespaces", "", ns) is not { } namespaceObject || StoreOps.Deleting(namespaceObject) || store.Get(ServiceAccounts, ns, DefaultName) is not null)
        {
            return;
        }

        StoreOps.TryCreate(store, ServiceAccounts, ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = DefaultName, ["namespace"] = ns },
        });
    }
}

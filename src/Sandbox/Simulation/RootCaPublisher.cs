using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// kube-controller-manager's root-ca-cert-publisher: every active namespace has the ConfigMap
/// <c>kube-root-ca.crt</c> holding the cluster CA (<c>ca.crt</c>), recreated when deleted and put back when edited —
/// how a user builds a kubeconfig for a ServiceAccount token without reading the CA from a node.
/// </summary>
public sealed class RootCaPublisher(SandboxCluster cluster) : IClusterController
{
    public const string Name = "kube-root-ca.crt";
    private const string ConfigMaps = "configmaps";

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        var ns = e.StorageKey switch
        {
            "namespaces" when e.Type != StoreEventType.Deleted => e.Name,
            ConfigMaps when e.Name == Name => e.Namespace,
            _ => null,
        };
        if (ns is not null)
        {
            queue.Enqueue($"root-ca/{ns}", () => Ensure(cluster.Store, ns, cluster.CaCertificatePem));
        }
    }

    /// <summary>Creates or corrects the namespace's kube-root-ca.crt, unless the namespace is going away.</summary>
    public static void Ensure(ObjectStore store, string ns, string caPem)
    {
        if (store.Get("namespaces", "", ns) is not { } namespaceObject || StoreOps.Deleting(namespaceObject))
        {
            return;
        }

        if (store.Get(ConfigMaps, ns, Name) is { } current)
        {
            if (current["data"]?["ca.crt"]?.GetValue<string>() != caPem)
            {
                StoreOps.TryUpdate(store, ConfigMaps, ns, Name, cm =>
                {
                    cm["data"] = new JsonObject { ["ca.crt"] = caPem };
                    return cm;
                });
            }

            return;
        }

        StoreOps.TryCreate(store, ConfigMaps, ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = Name,
                ["namespace"] = ns,
                ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
            },
            ["data"] = new JsonObject { ["ca.crt"] = caPem },
        });
    }
}

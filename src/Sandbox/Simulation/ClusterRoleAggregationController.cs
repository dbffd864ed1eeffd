using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Selectors;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// kube-controller-manager's clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets as its
/// rules the rules of every ClusterRole its selectors match (by name order, each rule once).
/// </summary>
public sealed class ClusterRoleAggregationController(SandboxCluster cluster) : IClusterController
{
    private const string ClusterRoles = "clusterroles.rbac.authorization.k8s.io";

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        if (e.StorageKey == ClusterRoles)
        {
            queue.Enqueue("clusterrole-aggregation", () => Aggregate(cluster.Store));
        }
    }

    /// <summary>Brings every aggregated ClusterRole's rules up to date.</summary>
    public static void Aggregate(ObjectStore store)
    {
        var roles = store.List(ClusterRoles, "").Items.OrderBy(StoreOps.Name, StringComparer.Ordinal).ToList();
        foreach (var aggregated in roles.Where(r => r["aggregationRule"] is JsonObject))
        {
            var selectors = aggregated["aggregationRule"]?["clusterRoleSelectors"] as JsonArray ?? [];
            var rules = new JsonArray();
            foreach (var role in roles.Where(r => StoreOps.Name(r) != StoreOps.Name(aggregated) && selectors.Any(s => LabelSelectorObject.Matches(s, r))))
            {
                foreach (var rule in role["rules"] as JsonArray ?? [])
                {
                    if (!rules.Any(existing => JsonNode.DeepEquals(existing, rule)))
                    {
                        rules.Add(rule?.DeepClone());
                    }
                }
            }

            if (!JsonNode.DeepEquals(rules, aggregated["rules"] ?? new JsonArray()))
            {
                StoreOps.TryUpdate(store, ClusterRoles, "", StoreOps.Name(aggregated), current =>
                {
                    current["rules"] = rules.DeepClone();
                    return current;
                });
            }
        }
    }
}

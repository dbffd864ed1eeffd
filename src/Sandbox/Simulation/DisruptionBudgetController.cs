using System.Globalization;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Selectors;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Simulation;

/// <summary>
/// kube-controller-manager's disruption controller: a PodDisruptionBudget's status counts the pods its selector
/// matches (expectedPods), the Ready ones (currentHealthy), how many must stay (desiredHealthy, from minAvailable or
/// maxUnavailable, integers or percentages rounded up) and how many may go (disruptionsAllowed).
/// </summary>
public sealed class DisruptionBudgetController(SandboxCluster cluster) : IClusterController
{
    private const string Budgets = "poddisruptionbudgets.policy";

    private ObjectStore Store => cluster.Store;

    public void Observe(StoreEvent e, WorkQueue queue)
    {
        var ns = e.Namespace;
        if (e.StorageKey == Budgets && e.Type != StoreEventType.Deleted)
        {
            var name = e.Name;
            queue.Enqueue($"pdb/{ns}/{name}", () => Reconcile(ns, name));
        }
        else if (e.StorageKey == "pods")
        {
            foreach (var budget in Store.List(Budgets, ns).Items)
            {
                var name = StoreOps.Name(budget);
                queue.Enqueue($"pdb/{ns}/{name}", () => Reconcile(ns, name));
            }
        }
    }

    private void Reconcile(string ns, string name)
    {
        var budget = Store.Get(Budgets, ns, name);
        if (budget is null || StoreOps.Deleting(budget))
        {
            return;
        }

        var pods = Store.List("pods", ns).Items.Where(p => !StoreOps.Deleting(p) && LabelSelectorObject.Matches(budget["spec"]?["selector"], p)).ToList();
        var expected = pods.Count;
        var healthy = pods.Count(WorkloadController.IsReady);
        int desired;
        if (budget["spec"]?["maxUnavailable"] is { } maxUnavailable)
        {
            desired = Math.Max(0, expected - Scaled(maxUnavailable, expected));
        }
        else
        {
            desired = budget["spec"]?["minAvailable"] is { } minAvailable ? Scaled(minAvailable, expected) : 0;
        }

        var allowed = Math.Max(0, healthy - desired);
        var time = ObjectStore.FormatTime(Store.Now);
        var previous = (budget["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
        var conditionStatus = allowed > 0 ? "True" : "False";
        var status = new JsonObject
        {
            ["observedGeneration"] = JsonTree.GetInt64(budget, "metadata", "generation") ?? 1,
            ["disruptionsAllowed"] = allowed,
            ["currentHealthy"] = healthy,
            ["desiredHealthy"] = desired,
            ["expectedPods"] = expected,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "DisruptionAllowed",
                ["status"] = conditionStatus,
                ["reason"] = allowed > 0 ? "SufficientPods" : "InsufficientPods",
                ["message"] = "",
                ["observedGeneration"] = JsonTree.GetInt64(budget, "metadata", "generation") ?? 1,
                ["lastTransitionTime"] = previous?["status"]?.GetValue<string>() == conditionStatus ? previous["lastTransitionTime"]?.DeepClone() : time,
            }),
        };
        if (!JsonNode.DeepEquals(status, budget["status"]))
        {
            StoreOps.SetStatus(Store, Budgets, ns, name, status);
        }
    }

    /// <summary>An IntOrString: an integer, or a percentage of the expected pods rounded up.</summary>
    private static int Scaled(JsonNode value, int total)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            return text.EndsWith('%') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent)
                ? (int)Math.Ceiling(total * percent / 100.0)
                : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;
        }

        return (int)(JsonTree.GetInt64(value) ?? 0);
    }
}

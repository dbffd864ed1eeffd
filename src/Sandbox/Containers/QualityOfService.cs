using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>A pod's qosClass from its containers' resources, by Kubernetes' rule.</summary>
public static class QualityOfService
{
    public static string Of(JsonObject pod)
    {
        var containers = new[] { "containers", "initContainers" }.SelectMany(k => pod["spec"]?[k] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var resources = containers.Select(c => (Limits: c["resources"]?["limits"] as JsonObject, Requests: c["resources"]?["requests"] as JsonObject)).ToList();
        if (resources.All(r => r.Limits is not { Count: > 0 } && r.Requests is not { Count: > 0 }))
        {
            return "BestEffort";
        }

        // Guaranteed: every container limits cpu and memory, and requests (where given) equal the limits.
        var guaranteed = resources.All(r => new[] { "cpu", "memory" }.All(name =>
            r.Limits?[name]?.GetValue<string>() is { } limit
            && (r.Requests?[name]?.GetValue<string>() is not { } request || Quantity.Parse(request) == Quantity.Parse(limit))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}

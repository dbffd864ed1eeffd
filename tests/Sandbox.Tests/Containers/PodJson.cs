using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>Reads pods through kubectl (<c>get -o json</c>) and waits on their status.</summary>
public static class PodJson
{
    public static async Task<JsonObject?> GetAsync(KubectlRunner kubectl, string ns, string name)
    {
        var result = await kubectl.RunAsync("get", "pod", name, "-n", ns, "-o", "json");
        return result.Succeeded ? JsonNode.Parse(result.Stdout)!.AsObject() : null;
    }

    public static async Task<JsonObject> WaitAsync(KubectlRunner kubectl, string ns, string name, Func<JsonObject, bool> condition, string what, TimeSpan? timeout = null) =>
        (await Eventually.Until(() => GetAsync(kubectl, ns, name), p => p is not null && condition(p), $"pod {ns}/{name}: {what}", timeout ?? TimeSpan.FromSeconds(90)))!;

    public static bool IsReady(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");

    public static JsonObject? Container(JsonObject pod, string name) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == name);

    public static int Restarts(JsonObject pod, string name) => Container(pod, name)?["restartCount"]?.GetValue<int>() ?? 0;
}

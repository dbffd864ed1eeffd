using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Api.CustomObjectJson;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// Lists a CRD schema declares <c>x-kubernetes-list-type: map</c> are keyed by their list-map-keys in server-side
/// apply and field ownership: two managers applying status.conditions of one ServiceExport each own their own
/// condition, as on a real server.
/// </summary>
public sealed class CustomResourceSsaListMapTests(UpstreamCrdFixture fixture) : IClassFixture<UpstreamCrdFixture>
{
    private const string Group = "multicluster.x-k8s.io";
    private const string Ns = UpstreamCrdFixture.Namespace;

    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Two_managers_applying_conditions_own_one_condition_each()
    {
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceExport","metadata":{"name":"shared"}}
            """), Group, "v1beta1", Ns, "serviceexports");

        await ApplyStatusAsync("exporter", Conditions(("Valid", "True")));
        var both = await ApplyStatusAsync("conflict-checker", Conditions(("Conflict", "False")));
        Assert.Equal(["Valid=True", "Conflict=False"], Summary(both));

        var entries = both["metadata"]!["managedFields"]!.AsArray();
        var exporter = entries.Single(e => (string?)e!["manager"] == "exporter")!;
        Assert.Equal(("Apply", "status"), ((string?)exporter["operation"], (string?)exporter["subresource"]));
        Assert.Contains("k:{\"type\":\"Valid\"}", exporter["fieldsV1"]!["f:status"]!["f:conditions"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("k:{\"type\":\"Conflict\"}", exporter["fieldsV1"]!["f:status"]!["f:conditions"]!.AsObject().Select(p => p.Key));

        // Taking another manager's condition with a different value is a conflict unless forced.
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyStatusAsync("conflict-checker", Conditions(("Conflict", "False"), ("Valid", "False"))));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal(
            "Apply failed with 1 conflict: conflict with \"exporter\": .status.conditions[type=\"Valid\"].status",
            (string?)JsonNode.Parse(error.Response.Content)!["message"]);

        // A manager that stops applying its condition removes it, and only it.
        var dropped = await ApplyStatusAsync("exporter", """{"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceExport","metadata":{"name":"shared"},"status":{}}""");
        Assert.Equal(["Conflict=False"], Summary(dropped));
    }

    [Fact]
    public async Task A_merge_patch_owns_list_map_items_by_key()
    {
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceImport","metadata":{"name":"owned"},"spec":{"type":"Headless","ports":[]}}
            """), Group, "v1beta1", Ns, "serviceimports");

        var patched = ToNode(await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"clusters":[{"cluster":"cluster-1"},{"cluster":"cluster-2"}]}}""", V1Patch.PatchType.MergePatch),
            Group, "v1beta1", Ns, "serviceimports", "owned", fieldManager: "importer"));

        var entry = patched["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == "importer")!;
        Assert.Equal(
            ["k:{\"cluster\":\"cluster-1\"}", "k:{\"cluster\":\"cluster-2\"}"],
            entry["fieldsV1"]!["f:status"]!["f:clusters"]!.AsObject().Select(p => p.Key).Where(k => k.StartsWith("k:", StringComparison.Ordinal)));
    }

    private static string Conditions(params (string Type, string Status)[] conditions) =>
        new JsonObject
        {
            ["apiVersion"] = "multicluster.x-k8s.io/v1beta1",
            ["kind"] = "ServiceExport",
            ["metadata"] = new JsonObject { ["name"] = "shared" },
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray([.. conditions.Select(c => (JsonNode)new JsonObject
                {
                    ["type"] = c.Type,
                    ["status"] = c.Status,
                    ["reason"] = "Because",
                    ["message"] = "m",
                    ["lastTransitionTime"] = "2026-12-05T16:00:00Z",
                })]),
            },
        }.ToJsonString();

    private static List<string> Summary(JsonNode export) =>
        [.. (export["status"]?["conditions"] as JsonArray ?? []).Select(c => $"{(string?)c!["type"]}={(string?)c["status"]}")];

    private async Task<JsonNode> ApplyStatusAsync(string manager, string body) =>
        ToNode(await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(body, V1Patch.PatchType.ApplyPatch), Group, "v1beta1", Ns, "serviceexports", "shared", fieldManager: manager));
}

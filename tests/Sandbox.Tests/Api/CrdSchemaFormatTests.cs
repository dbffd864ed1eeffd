using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Api.CustomObjectJson;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// The upstream MCS schemas validated as kube-apiserver validates them: date-time formats, list-type map keys
/// unique, and (as on a real server, kubernetes/kubernetes#136091) no range check for format int32.
/// </summary>
public sealed class CrdSchemaFormatTests(UpstreamCrdFixture fixture) : IClassFixture<UpstreamCrdFixture>
{
    private const string Group = "multicluster.x-k8s.io";
    private const string Ns = UpstreamCrdFixture.Namespace;

    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Condition_times_must_be_rfc3339_date_times()
    {
        await CreateExportAsync("times");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => PatchExportStatusAsync("times", Condition("Valid", "yesterday")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal(
            ["status.conditions[0].lastTransitionTime: Invalid value: \"yesterday\": status.conditions[0].lastTransitionTime in body must be of type date-time: \"yesterday\""],
            Causes(error));

        var patched = await PatchExportStatusAsync("times", Condition("Valid", "2026-12-05T16:00:00Z"));
        Assert.Equal("2026-12-05T16:00:00Z", (string?)patched["status"]!["conditions"]![0]!["lastTransitionTime"]);
        await PatchExportStatusAsync("times", Condition("Valid", "2026-12-05t16:00:00.5+01:00"));
    }

    [Fact]
    public async Task A_repeated_list_map_key_is_a_duplicate_value()
    {
        await CreateExportAsync("dupes");
        var twice = $$$"""{"status":{"conditions":[{{{Item("Valid")}}},{{{Item("Conflict")}}},{{{Item("Valid")}}}]}}""";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => PatchExportStatusAsync("dupes", twice));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal(["status.conditions[2]: Duplicate value: {\"type\":\"Valid\"}"], Causes(error));
        Assert.Equal("FieldValueDuplicate", (string?)JsonNode.Parse(error.Response.Content)!["details"]!["causes"]![0]!["reason"]);

        await CreateImportAsync("clusters", "42");
        var clusters = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"clusters":[{"cluster":"c1"},{"cluster":"c2"},{"cluster":"c1"}]}}""", V1Patch.PatchType.MergePatch), Group, "v1beta1", Ns, "serviceimports", "clusters"));
        Assert.Equal(["status.clusters[2]: Duplicate value: {\"cluster\":\"c1\"}"], Causes(clusters));
    }

    [Fact]
    public async Task Required_fields_and_enums_of_the_import_spec_are_enforced()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceImport","metadata":{"name":"bad"},"spec":{"type":"LoadBalancer"}}
            """), Group, "v1beta1", Ns, "serviceimports"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("spec.ports: Required value", Causes(error));
        Assert.Contains(Causes(error), c => c.StartsWith("spec.type: Unsupported value: \"LoadBalancer\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Int32_fields_take_values_beyond_int32_as_a_real_server_does()
    {
        // kube-apiserver strips numeric formats from CRD schemas before validating, so it stores this unchanged.
        var created = await CreateImportAsync("wide", "2147483648");
        Assert.Equal(2147483648L, (long)created["spec"]!["ports"]![0]!["port"]!);
    }

    private static string Item(string type) =>
        $$$"""{"type":"{{{type}}}","status":"True","reason":"Because","message":"m","lastTransitionTime":"2026-12-05T16:00:00Z"}""";

    private static string Condition(string type, string time) =>
        $$$"""{"status":{"conditions":[{"type":"{{{type}}}","status":"True","reason":"Because","message":"m","lastTransitionTime":"{{{time}}}"}]}}""";

    private async Task CreateExportAsync(string name) =>
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
            {"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceExport","metadata":{"name":"{{{name}}}"}}
            """), Group, "v1beta1", Ns, "serviceexports");

    private async Task<JsonNode> CreateImportAsync(string name, string port) =>
        ToNode(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
            {"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceImport","metadata":{"name":"{{{name}}}"},
             "spec":{"type":"ClusterSetIP","ports":[{"port":{{{port}}},"protocol":"TCP"}]}}
            """), Group, "v1beta1", Ns, "serviceimports"));

    private async Task<JsonNode> PatchExportStatusAsync(string name, string patch) =>
        ToNode(await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), Group, "v1beta1", Ns, "serviceexports", name));
}

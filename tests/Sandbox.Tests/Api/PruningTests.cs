using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// Unknown fields are pruned as kube-apiserver prunes them (apiextensions pruning algorithm), at every level, on
/// create, update, patch, apply and the status subresource, through the real KubernetesClient.
/// </summary>
public sealed class PruningTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>, IAsyncLifetime
{
    private const string Group = "prune.example.com";
    private const string Ns = "default";

    private const string GadgetSchema = """
        {"type":"object","properties":{
          "spec":{"type":"object","properties":{
            "size":{"type":"integer"},
            "labels":{"type":"object","additionalProperties":{"type":"object","properties":{"value":{"type":"string"}}}},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","properties":{"image":{"type":"string"}}}}},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}},
            "list":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},
            "bare":{"type":"object"}}},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
        """;

    private readonly Kubernetes _client = fixture.Client();

    public async Task InitializeAsync()
    {
        await CreateCrdAsync("Gadget", "gadgets", GadgetSchema);
        await CreateCrdAsync("Bare", "bares", """{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true},"status":{"type":"object"}}}""");
        await CreateCrdAsync("Open", "opens", """{"type":"object","properties":{"spec":{"type":"object"},"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}""");
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Status_schema_without_properties_loses_every_status_field()
    {
        await CreateAsync("bares", """{"apiVersion":"prune.example.com/v1","kind":"Bare","metadata":{"name":"b1"},"spec":{"anything":{"goes":1}}}""");

        var patched = await PatchStatusAsync("bares", "b1", """{"status":{"routing":{"endpoints":[{"target":"x"}]},"conditions":[{"type":"Ready"}]}}""");

        Assert.Equal("{}", patched["status"]?.ToJsonString() ?? "{}");
        Assert.Equal("""{"anything":{"goes":1}}""", patched["spec"]!.ToJsonString());
        var read = await GetAsync("bares", "b1");
        Assert.Equal("{}", read["status"]?.ToJsonString() ?? "{}");
    }

    [Fact]
    public async Task Unknown_status_fields_are_pruned_on_patch_and_replace_of_the_status_subresource()
    {
        await CreateAsync("gadgets", """{"apiVersion":"prune.example.com/v1","kind":"Gadget","metadata":{"name":"g-status"},"spec":{"size":1}}""");

        var patched = await PatchStatusAsync("gadgets", "g-status", """{"status":{"phase":"Up","foo":"bar"}}""");
        Assert.Equal("""{"phase":"Up"}""", patched["status"]!.ToJsonString());

        patched["status"] = JsonNode.Parse("""{"phase":"Down","nested":{"deep":true}}""");
        var replaced = ToNode(await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(patched, Group, "v1", Ns, "gadgets", "g-status"));
        Assert.Equal("""{"phase":"Down"}""", replaced["status"]!.ToJsonString());
    }

    [Fact]
    public async Task Preserve_unknown_fields_keeps_unknown_status_fields()
    {
        await CreateAsync("opens", """{"apiVersion":"prune.example.com/v1","kind":"Open","metadata":{"name":"o1"},"spec":{"dropped":true}}""");

        var patched = await PatchStatusAsync("opens", "o1", """{"status":{"routing":{"weight":3},"foo":"bar"}}""");

        Assert.Equal("""{"routing":{"weight":3},"foo":"bar"}""", patched["status"]!.ToJsonString());
        Assert.Equal("{}", patched["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task Every_level_is_pruned_but_maps_embedded_resources_and_preserved_subtrees_keep_theirs()
    {
        var created = await CreateAsync("gadgets", """
            {"apiVersion":"prune.example.com/v1","kind":"Gadget","metadata":{"name":"g-levels"},"top":"gone",
             "spec":{"size":2,"surprise":1,
               "labels":{"any-key":{"value":"v","junk":1}},
               "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"},"spec":{"image":"i","junk":1},"junk":1},
               "extra":{"free":{"form":1},"known":{"a":"x","junk":1}},
               "list":[{"name":"n","junk":1}],
               "bare":{"junk":1}}}
            """);

        Assert.Null(created["top"]);
        Assert.Equal("""
            {"size":2,"labels":{"any-key":{"value":"v"}},"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"},"spec":{"image":"i"}},"extra":{"free":{"form":1},"known":{"a":"x"}},"list":[{"name":"n"}],"bare":{}}
            """.Trim(), created["spec"]!.ToJsonString());

        var patched = ToNode(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"bare":{"again":1},"size":3,"new":1}}""", V1Patch.PatchType.MergePatch), Group, "v1", Ns, "gadgets", "g-levels"));
        Assert.Equal("{}", patched["spec"]!["bare"]!.ToJsonString());
        Assert.Null(patched["spec"]!["new"]);
        Assert.Equal(3, (int)patched["spec"]!["size"]!);
    }

    [Fact]
    public async Task Strict_refuses_unknown_status_fields_and_warn_reports_them()
    {
        await CreateAsync("gadgets", """{"apiVersion":"prune.example.com/v1","kind":"Gadget","metadata":{"name":"g-strict"},"spec":{"size":1}}""");
        using var http = fixture.Http();
        const string Path = "/apis/prune.example.com/v1/namespaces/default/gadgets/g-strict/status";

        using (var strict = new HttpRequestMessage(HttpMethod.Patch, Path + "?fieldValidation=Strict"))
        {
            strict.Content = new StringContent("""{"status":{"phase":"Up","foo":"bar"}}""", Encoding.UTF8, "application/merge-patch+json");
            using var refused = await http.SendAsync(strict);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("unknown field \\\"status.foo\\\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var warn = new HttpRequestMessage(HttpMethod.Patch, Path + "?fieldValidation=Warn"))
        {
            warn.Content = new StringContent("""{"status":{"phase":"Up","foo":"bar"}}""", Encoding.UTF8, "application/merge-patch+json");
            using var warned = await http.SendAsync(warn);
            Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
            Assert.Contains(warned.Headers.GetValues("Warning"), w => w.Contains("unknown field \\\"status.foo\\\"", StringComparison.Ordinal));
            Assert.Equal("""{"phase":"Up"}""", JsonNode.Parse(await warned.Content.ReadAsStringAsync())!["status"]!.ToJsonString());
        }

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"prune.example.com/v1","kind":"Gadget","metadata":{"name":"g-strict-2"},"spec":{"list":[{"junk":1}]}}"""),
            Group, "v1", Ns, "gadgets", fieldValidation: "Strict"));
        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        Assert.Contains("spec.list[0].junk", error.Response.Content, StringComparison.Ordinal);
    }

    private async Task CreateCrdAsync(string kind, string plural, string schema)
    {
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>($$$"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"{{{plural}}}.{{{Group}}}"},
             "spec":{"group":"{{{Group}}}","scope":"Namespaced","names":{"kind":"{{{kind}}}","plural":"{{{plural}}}","singular":"{{{kind.ToLowerInvariant()}}}"},
               "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},"schema":{"openAPIV3Schema":{{{schema}}}}}]}}
            """);
        try
        {
            await _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The class fixture is shared: an earlier test created it.
        }
    }

    private async Task<JsonNode> CreateAsync(string plural, string json) =>
        ToNode(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(json), Group, "v1", Ns, plural));

    private async Task<JsonNode> PatchStatusAsync(string plural, string name, string patch) =>
        ToNode(await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), Group, "v1", Ns, plural, name));

    private async Task<JsonNode> GetAsync(string plural, string name) =>
        ToNode(await _client.CustomObjects.GetNamespacedCustomObjectAsync(Group, "v1", Ns, plural, name));

    private static JsonNode ToNode(object result) => JsonNode.Parse(JsonSerializer.Serialize(result))!;
}

using System.Net;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>Core REST semantics, driven through the real KubernetesClient over HTTP.</summary>
public sealed class ApiSemanticsTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Create_fills_server_metadata_and_duplicate_create_is_AlreadyExists()
    {
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("meta-1"), "default");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.True(long.Parse(created.Metadata.ResourceVersion) > 0);
        Assert.NotNull(created.Metadata.CreationTimestamp);
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("meta-1"), "default"));
        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Contains("\"reason\":\"AlreadyExists\"", again.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resource_versions_increase_monotonically_across_writes()
    {
        var a = await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("rv-a"), "default");
        var b = await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("rv-b"), "default");
        a.Data["key"] = "changed";
        var a2 = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "rv-a", "default");

        Assert.True(long.Parse(b.Metadata.ResourceVersion) > long.Parse(a.Metadata.ResourceVersion));
        Assert.True(long.Parse(a2.Metadata.ResourceVersion) > long.Parse(b.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Update_with_a_stale_resourceVersion_is_a_409_Conflict()
    {
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("stale-1"), "default");
        created.Data["key"] = "first";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "stale-1", "default");

        created.Data["key"] = "second";
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "stale-1", "default"));

        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Contains("the object has been modified", stale.Response.Content, StringComparison.Ordinal);
        var stored = await _client.CoreV1.ReadNamespacedConfigMapAsync("stale-1", "default");
        Assert.Equal("first", stored.Data["key"]);
    }

    [Fact]
    public async Task Generation_moves_only_when_the_spec_changes()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("gen"));
        var deployment = await _client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("web", "gen", 1, "web"), "gen");
        Assert.Equal(1, deployment.Metadata.Generation);

        var labelled = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"team\":\"a\"}}}", V1Patch.PatchType.MergePatch), "web", "gen");
        Assert.Equal(1, labelled.Metadata.Generation);

        var scaled = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "web", "gen");
        Assert.Equal(2, scaled.Metadata.Generation);
    }

    [Fact]
    public async Task Merge_json_and_strategic_patches_apply()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("patching"));
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("api", "patching", 1, "api"), "patching");

        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("merge", "patching"), "patching");
        var merged = await _client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"data\":{\"key\":null,\"other\":\"x\"}}", V1Patch.PatchType.MergePatch), "merge", "patching");
        Assert.Equal(new Dictionary<string, string> { ["other"] = "x" }, merged.Data);

        var jsonPatched = await _client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("[{\"op\":\"add\",\"path\":\"/data/added\",\"value\":\"y\"},{\"op\":\"test\",\"path\":\"/data/other\",\"value\":\"x\"}]", V1Patch.PatchType.JsonPatch), "merge", "patching");
        Assert.Equal("y", jsonPatched.Data["added"]);

        var failedTest = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("[{\"op\":\"test\",\"path\":\"/data/other\",\"value\":\"nope\"}]", V1Patch.PatchType.JsonPatch), "merge", "patching"));
        Assert.Equal((HttpStatusCode)422, failedTest.Response.StatusCode);

        // Strategic merge: containers merge by name, so a sidecar is added without replacing the list.
        var strategic = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"example/sidecar:1\"}]}}}}", V1Patch.PatchType.StrategicMergePatch), "api", "patching");
        Assert.Equal(["main", "sidecar"], strategic.Spec.Template.Spec.Containers.Select(c => c.Name).Order().ToArray());
    }

    [Fact]
    public async Task Server_side_apply_tracks_managers_and_reports_conflicts_unless_forced()
    {
        const string Applied = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ssa\",\"namespace\":\"default\"},\"data\":{\"key\":\"one\"}}";
        var first = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Applied, V1Patch.PatchType.ApplyPatch), "ssa", "default", fieldManager: "alpha");
        Assert.Equal("one", first.Data["key"]);
        Assert.Contains(first.Metadata.ManagedFields, m => m.Manager == "alpha" && m.Operation == "Apply");

        var again = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Applied, V1Patch.PatchType.ApplyPatch), "ssa", "default", fieldManager: "alpha");
        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);

        var rival = Applied.Replace("\"one\"", "\"two\"", StringComparison.Ordinal);
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(rival, V1Patch.PatchType.ApplyPatch), "ssa", "default", fieldManager: "beta"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Contains("alpha", conflict.Response.Content, StringComparison.Ordinal);

        var forced = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(rival, V1Patch.PatchType.ApplyPatch), "ssa", "default", fieldManager: "beta", force: true);
        Assert.Equal("two", forced.Data["key"]);
        Assert.Contains(forced.Metadata.ManagedFields, m => m.Manager == "beta");
    }

    [Fact]
    public async Task Finalizers_hold_a_deleted_object_until_they_are_removed()
    {
        var cm = Objects.ConfigMap("final-1");
        cm.Metadata.Finalizers = ["example.com/hold"];
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("final-1", "default");
        var held = await _client.CoreV1.ReadNamespacedConfigMapAsync("final-1", "default");
        Assert.NotNull(held.Metadata.DeletionTimestamp);

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "final-1", "default");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("final-1", "default"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Status_subresource_separates_spec_writes_from_status_writes()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("status"));
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("s", "status", 0, "s"), "status");

        // Let the simulated deployment controller settle first: it writes status too, as a real one does.
        var created = await Eventually.Until(() => _client.AppsV1.ReadNamespacedDeploymentAsync("s", "status"),
            d => d.Status?.ObservedGeneration == 1, "deployment status observed");

        // A write to the main resource cannot change status...
        created.Status = new V1DeploymentStatus { ObservedGeneration = 42 };
        var replaced = await _client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "s", "status");
        Assert.NotEqual(42, replaced.Status?.ObservedGeneration);

        // ...and a write to /status cannot change spec.
        var current = await _client.AppsV1.ReadNamespacedDeploymentAsync("s", "status");
        current.Status = new V1DeploymentStatus { ObservedGeneration = 42, Replicas = 0 };
        current.Spec.Replicas = 9;
        var statusWritten = await _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(current, "s", "status");
        Assert.Equal(42, statusWritten.Status.ObservedGeneration);
        Assert.Equal(0, statusWritten.Spec.Replicas);
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("select"));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("a", "select", new Dictionary<string, string> { ["tier"] = "web" }), "select");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("b", "select", new Dictionary<string, string> { ["tier"] = "db" }), "select");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("c", "select"), "select");

        Assert.Equal(["a"], (await _client.CoreV1.ListNamespacedConfigMapAsync("select", labelSelector: "tier=web")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["a", "b"], (await _client.CoreV1.ListNamespacedConfigMapAsync("select", labelSelector: "tier in (web,db)")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["c"], Objects.OwnNames((await _client.CoreV1.ListNamespacedConfigMapAsync("select", labelSelector: "!tier")).Items));
        Assert.Equal(["b"], (await _client.CoreV1.ListNamespacedConfigMapAsync("select", fieldSelector: "metadata.name=b")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["a", "c"], Objects.OwnNames((await _client.CoreV1.ListNamespacedConfigMapAsync("select", fieldSelector: "metadata.name!=b")).Items));
    }

    [Fact]
    public async Task Limit_and_continue_page_through_a_list()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("paging"));
        for (var i = 0; i < 25; i++)
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap($"item-{i:D2}", "paging"), "paging");
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _client.CoreV1.ListNamespacedConfigMapAsync("paging", limit: 10, continueParameter: token);
            names.AddRange(Objects.OwnNames(page.Items));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"item-{i:D2}"), names);
    }

    [Fact]
    public async Task GenerateName_creates_unique_names()
    {
        var template = new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "gen-" } };
        var a = await _client.CoreV1.CreateNamespacedConfigMapAsync(template, "default");
        var b = await _client.CoreV1.CreateNamespacedConfigMapAsync(template, "default");

        Assert.StartsWith("gen-", a.Metadata.Name, StringComparison.Ordinal);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task Deletecollection_removes_only_selected_objects()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("dc"));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("x1", "dc", new Dictionary<string, string> { ["batch"] = "1" }), "dc");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("x2", "dc", new Dictionary<string, string> { ["batch"] = "1" }), "dc");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("keep", "dc"), "dc");

        await _client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("dc", labelSelector: "batch=1");

        Assert.Equal(["keep"], Objects.OwnNames((await _client.CoreV1.ListNamespacedConfigMapAsync("dc")).Items));
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_its_contents_and_refuses_new_content()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("doomed"));
        var cm = Objects.ConfigMap("held", "doomed");
        cm.Metadata.Finalizers = ["example.com/hold"];
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "doomed");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("plain", "doomed"), "doomed");

        await _client.CoreV1.DeleteNamespaceAsync("doomed");
        var terminating = await _client.CoreV1.ReadNamespaceAsync("doomed");
        Assert.Equal("Terminating", terminating.Status.Phase);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("late", "doomed"), "doomed"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);

        await Eventually.Until(async () => (await _client.CoreV1.ListNamespacedConfigMapAsync("doomed")).Items.Count == 1, "plain config map removed");
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", "doomed");
        await Eventually.Until(async () => (await _client.CoreV1.ListNamespaceAsync()).Items.All(n => n.Metadata.Name != "doomed"), "namespace removed");
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_NotFound()
    {
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("x", "no-such-ns"), "no-such-ns"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("namespaces \\\"no-such-ns\\\" not found", missing.Response.Content.Replace("\"no-such-ns\"", "\\\"no-such-ns\\\"", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployment_service_and_endpoints_follow_pod_readiness_and_scale()
    {
        await _client.CoreV1.CreateNamespaceAsync(Objects.Namespace("workload"));
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("httpbin", "workload", 2, "pipy"), "workload");
        await _client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("httpbin", "workload", "pipy"), "workload");

        var endpoints = await Eventually.Until(() => _client.CoreV1.ReadNamespacedEndpointsAsync("httpbin", "workload"),
            e => e.Subsets?.SingleOrDefault()?.Addresses?.Count == 2, "two ready endpoints");
        Assert.All(endpoints.Subsets[0].Addresses, a => Assert.StartsWith("127.", a.Ip, StringComparison.Ordinal));
        Assert.Equal(8080, endpoints.Subsets[0].Ports.Single().Port);
        var slice = (await _client.DiscoveryV1.ListNamespacedEndpointSliceAsync("workload", labelSelector: "kubernetes.io/service-name=httpbin")).Items.Single();
        Assert.Equal(2, slice.Endpoints.Count(e => e.Conditions.Ready == true));

        await _client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "httpbin", "workload");
        await Eventually.Until(() => _client.CoreV1.ReadNamespacedEndpointsAsync("httpbin", "workload"),
            e => e.Subsets?.SingleOrDefault()?.Addresses?.Count == 3, "three ready endpoints after scale");
        var deployment = await Eventually.Until(() => _client.AppsV1.ReadNamespacedDeploymentAsync("httpbin", "workload"),
            d => d.Status?.ReadyReplicas == 3, "deployment reports three ready replicas");
        Assert.Equal(3, deployment.Spec.Replicas);

        await _client.AppsV1.DeleteNamespacedDeploymentAsync("httpbin", "workload");
        await Eventually.Until(async () => (await _client.CoreV1.ListNamespacedPodAsync("workload")).Items.Count == 0, "pods garbage-collected with their deployment");
        await Eventually.Until(() => _client.CoreV1.ReadNamespacedEndpointsAsync("httpbin", "workload"),
            e => e.Subsets is null || e.Subsets.Count == 0, "endpoints emptied");
    }
}

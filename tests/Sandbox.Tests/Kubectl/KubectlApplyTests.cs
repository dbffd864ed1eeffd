using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>Client-side <c>kubectl apply</c> of the unchanged seed walkthrough manifests.</summary>
public sealed class KubectlApplyTests(KubectlSandboxFixture fixture) : IClassFixture<KubectlSandboxFixture>
{
    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task Seed_manifests_apply_unchanged_then_reapply_says_unchanged_and_a_replica_change_says_configured()
    {
        Assert.Equal(
            ["namespace/httpbin created", "deployment.apps/httpbin created", "service/httpbin created"],
            (await _kubectl.RunAsync("apply", "-f", RepoPaths.Seed("01-httpbin.yaml"))).AssertSuccess().Lines);
        Assert.Equal(
            ["namespace/curl created", "deployment.apps/curl created", "service/curl created"],
            (await _kubectl.RunAsync("apply", "-f", RepoPaths.Seed("03-curl.yaml"))).AssertSuccess().Lines);
        Assert.Equal(
            [
                "customresourcedefinition.apiextensions.k8s.io/clusterproperties.about.k8s.io created",
                "customresourcedefinition.apiextensions.k8s.io/clusters.flomesh.io created",
                "customresourcedefinition.apiextensions.k8s.io/globaltrafficpolicies.flomesh.io created",
                "customresourcedefinition.apiextensions.k8s.io/serviceexports.flomesh.io created",
                "customresourcedefinition.apiextensions.k8s.io/serviceimports.flomesh.io created",
                "customresourcedefinition.apiextensions.k8s.io/serviceexports.multicluster.x-k8s.io created",
                "customresourcedefinition.apiextensions.k8s.io/serviceimports.multicluster.x-k8s.io created",
            ],
            (await _kubectl.RunAsync("apply", "-f", RepoPaths.CrdDirectory)).AssertSuccess().Lines);
        Assert.Equal(
            ["serviceexport.flomesh.io/httpbin created"],
            (await _kubectl.RunAsync("apply", "-f", RepoPaths.Seed("02-serviceexport.yaml"))).AssertSuccess().Lines);
        Assert.Equal(
            ["globaltrafficpolicy.flomesh.io/httpbin created"],
            (await _kubectl.RunAsync("apply", "-f", RepoPaths.Seed("04-globaltrafficpolicy.yaml"))).AssertSuccess().Lines);

        // Let the controllers write status first: a second apply must stay "unchanged" regardless.
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim() == "2", "get", "deploy", "httpbin", "-n", "httpbin", "-o", "jsonpath={.status.readyReplicas}");
        foreach (var path in new[] { RepoPaths.Seed("01-httpbin.yaml"), RepoPaths.Seed("03-curl.yaml"), RepoPaths.CrdDirectory, RepoPaths.Seed("02-serviceexport.yaml"), RepoPaths.Seed("04-globaltrafficpolicy.yaml") })
        {
            var again = (await _kubectl.RunAsync("apply", "-f", path)).AssertSuccess();
            Assert.NotEmpty(again.Lines);
            Assert.All(again.Lines, line => Assert.EndsWith(" unchanged", line));
        }

        var seed = await File.ReadAllTextAsync(RepoPaths.Seed("01-httpbin.yaml"));
        Assert.Contains("replicas: 2", seed);
        var changed = (await _kubectl.RunWithInputAsync(seed.Replace("replicas: 2", "replicas: 3"), "apply", "-f", "-")).AssertSuccess();
        Assert.Equal(["namespace/httpbin unchanged", "deployment.apps/httpbin configured", "service/httpbin unchanged"], changed.Lines);

        var ready = await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["READY"] == "3/3", "get", "deploy", "httpbin", "-n", "httpbin");
        Assert.Equal("3", ready.Table.Row("httpbin")["AVAILABLE"]);
        Assert.Equal(
            "3",
            (await _kubectl.RunAsync("get", "deploy", "httpbin", "-n", "httpbin", "-o", "jsonpath={.spec.replicas}")).AssertSuccess().Stdout);

        // Applying the seed again goes back to two replicas.
        Assert.Contains("deployment.apps/httpbin configured", (await _kubectl.RunAsync("apply", "-f", RepoPaths.Seed("01-httpbin.yaml"))).AssertSuccess().Lines);
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["READY"] == "2/2", "get", "deploy", "httpbin", "-n", "httpbin");
    }

    [Fact]
    public async Task Applying_a_changed_custom_resource_says_configured_and_the_printer_column_follows()
    {
        (await _kubectl.RunAsync("apply", "-f", RepoPaths.CrdDirectory)).AssertSuccess();
        (await _kubectl.RunAsync("create", "namespace", "apply-cr")).AssertSuccess();
        var policy = (await File.ReadAllTextAsync(RepoPaths.Seed("04-globaltrafficpolicy.yaml"))).Replace("namespace: httpbin", "namespace: apply-cr");

        Assert.Equal(["globaltrafficpolicy.flomesh.io/httpbin created"], (await _kubectl.RunWithInputAsync(policy, "apply", "-f", "-")).AssertSuccess().Lines);
        Assert.Equal(["globaltrafficpolicy.flomesh.io/httpbin unchanged"], (await _kubectl.RunWithInputAsync(policy, "apply", "-f", "-")).AssertSuccess().Lines);
        Assert.Equal(
            ["globaltrafficpolicy.flomesh.io/httpbin configured"],
            (await _kubectl.RunWithInputAsync(policy.Replace("lbType: ActiveActive", "lbType: FailOver"), "apply", "-f", "-")).AssertSuccess().Lines);

        var table = (await _kubectl.RunAsync("get", "gtp", "httpbin", "-n", "apply-cr")).AssertSuccess().Table;
        Assert.Equal("FailOver", table.Row("httpbin")["LB TYPE"]);
        Assert.Equal(
            "2",
            (await _kubectl.RunAsync("get", "gtp", "httpbin", "-n", "apply-cr", "-o", "jsonpath={.metadata.generation}")).AssertSuccess().Stdout);
    }
}

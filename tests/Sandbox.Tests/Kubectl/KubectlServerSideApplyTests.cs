using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary><c>kubectl apply --server-side</c>: idempotent re-apply, field managers, conflicts and forcing them.</summary>
public sealed class KubectlServerSideApplyTests(KubectlSandboxFixture fixture) : IClassFixture<KubectlSandboxFixture>
{
    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task Seed_applies_server_side_twice()
    {
        var first = (await _kubectl.RunAsync("apply", "--server-side", "-f", RepoPaths.Seed("03-curl.yaml"))).AssertSuccess();
        Assert.Equal(["namespace/curl serverside-applied", "deployment.apps/curl serverside-applied", "service/curl serverside-applied"], first.Lines);
        var rv = (await _kubectl.RunAsync("get", "svc", "curl", "-n", "curl", "-o", "jsonpath={.metadata.resourceVersion}")).AssertSuccess().Stdout;

        var second = (await _kubectl.RunAsync("apply", "--server-side", "-f", RepoPaths.Seed("03-curl.yaml"))).AssertSuccess();
        Assert.Equal(["namespace/curl serverside-applied", "deployment.apps/curl serverside-applied", "service/curl serverside-applied"], second.Lines);

        // Re-applying the same configuration is a no-op for the object: same resourceVersion, one Apply manager.
        Assert.Equal(rv, (await _kubectl.RunAsync("get", "svc", "curl", "-n", "curl", "-o", "jsonpath={.metadata.resourceVersion}")).AssertSuccess().Stdout);
        Assert.Equal(
            "kubectl/Apply",
            (await _kubectl.RunAsync("get", "svc", "curl", "-n", "curl", "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}{end}")).AssertSuccess().Stdout);
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("curl")["READY"] == "1/1", "get", "deploy", "curl", "-n", "curl");

        // The CRDs and custom resources go through the same path.
        (await _kubectl.RunAsync("apply", "--server-side", "-f", RepoPaths.CrdDirectory)).AssertSuccess();
        (await _kubectl.RunAsync("create", "namespace", "httpbin")).AssertSuccess();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(
                ["globaltrafficpolicy.flomesh.io/httpbin serverside-applied"],
                (await _kubectl.RunAsync("apply", "--server-side", "-f", RepoPaths.Seed("04-globaltrafficpolicy.yaml"))).AssertSuccess().Lines);
        }

        Assert.Equal("ActiveActive", (await _kubectl.RunAsync("get", "gtp", "httpbin", "-n", "httpbin")).AssertSuccess().Table.Row("httpbin")["LB TYPE"]);
    }

    [Fact]
    public async Task A_second_field_manager_conflicts_until_it_forces()
    {
        (await _kubectl.RunAsync("create", "namespace", "ssa")).AssertSuccess();
        Assert.Equal(
            ["configmap/owned serverside-applied"],
            (await _kubectl.RunWithInputAsync(Manifests.ConfigMap("ssa", "owned", "1"), "apply", "--server-side", "--field-manager=alpha", "-f", "-")).AssertSuccess().Lines);

        // Same value from another manager: no conflict, the field becomes shared.
        (await _kubectl.RunWithInputAsync(Manifests.ConfigMap("ssa", "owned", "1"), "apply", "--server-side", "--field-manager=gamma", "-f", "-")).AssertSuccess();

        var conflict = (await _kubectl.RunWithInputAsync(Manifests.ConfigMap("ssa", "owned", "2"), "apply", "--server-side", "--field-manager=beta", "-f", "-")).AssertFailure();
        Assert.Contains("Apply failed with 2 conflicts: conflicts with \"alpha\":\n- .data.a\nconflicts with \"gamma\":\n- .data.a\n", conflict.Stderr);
        Assert.Contains("--force-conflicts", conflict.Stderr);
        Assert.Equal("1", (await _kubectl.RunAsync("get", "cm", "owned", "-n", "ssa", "-o", "jsonpath={.data.a}")).AssertSuccess().Stdout);

        Assert.Equal(
            ["configmap/owned serverside-applied"],
            (await _kubectl.RunWithInputAsync(Manifests.ConfigMap("ssa", "owned", "2"), "apply", "--server-side", "--field-manager=beta", "--force-conflicts", "-f", "-")).AssertSuccess().Lines);
        Assert.Equal("2", (await _kubectl.RunAsync("get", "cm", "owned", "-n", "ssa", "-o", "jsonpath={.data.a}")).AssertSuccess().Stdout);

        // Forcing took .data.a away from alpha and gamma, whose only field it was.
        var managers = (await _kubectl.RunAsync("get", "cm", "owned", "-n", "ssa", "-o", "jsonpath={.metadata.managedFields[*].manager}")).AssertSuccess().Stdout;
        Assert.Equal(["beta"], managers.Split(' '));

        // Now alpha is the one that conflicts.
        var back = (await _kubectl.RunWithInputAsync(Manifests.ConfigMap("ssa", "owned", "1"), "apply", "--server-side", "--field-manager=alpha", "-f", "-")).AssertFailure();
        Assert.Contains("error: Apply failed with 1 conflict: conflict with \"beta\": .data.a\n", back.Stderr);
    }

    [Fact]
    public async Task Server_side_apply_takes_over_from_client_side_apply()
    {
        (await _kubectl.RunWithInputAsync(Manifests.Httpbin("migrate"), "apply", "-f", "-")).AssertSuccess();
        var ssa = (await _kubectl.RunWithInputAsync(Manifests.Httpbin("migrate", replicas: 3), "apply", "--server-side", "-f", "-")).AssertSuccess();
        Assert.Contains("deployment.apps/httpbin serverside-applied", ssa.Lines);
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["READY"] == "3/3", "get", "deploy", "httpbin", "-n", "migrate");
    }
}

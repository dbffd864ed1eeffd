using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>delete, namespace cascade, watch and scale, each test in a namespace of its own.</summary>
public sealed class KubectlLifecycleTests(KubectlSandboxFixture fixture) : IClassFixture<KubectlSandboxFixture>
{
    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task Delete_returns_once_the_object_is_gone_and_the_pods_follow()
    {
        await DeployHttpbinAsync("delete-me");

        Assert.Equal(["configmap \"settings\" deleted"], (await _kubectl.RunAsync("delete", "configmap", "settings", "-n", "delete-me")).AssertSuccess().Lines);
        var gone = (await _kubectl.RunAsync("get", "configmap", "settings", "-n", "delete-me")).AssertFailure();
        Assert.Contains("Error from server (NotFound): configmaps \"settings\" not found", gone.Stderr);

        Assert.Equal(["deployment.apps \"httpbin\" deleted"], (await _kubectl.RunAsync("delete", "deployment", "httpbin", "-n", "delete-me")).AssertSuccess().Lines);
        Assert.Contains("deployments.apps \"httpbin\" not found", (await _kubectl.RunAsync("get", "deployment", "httpbin", "-n", "delete-me")).AssertFailure().Stderr);

        // The garbage collector removes the replica set and its pods; the endpoints empty out.
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Length == 0 && r.Stderr.Contains("No resources found"), "get", "pods,replicasets", "-n", "delete-me");
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["ENDPOINTS"] == "<none>", "get", "endpoints", "httpbin", "-n", "delete-me");

        var missing = (await _kubectl.RunAsync("delete", "deployment", "httpbin", "-n", "delete-me")).AssertFailure();
        Assert.Contains("Error from server (NotFound): deployments.apps \"httpbin\" not found", missing.Stderr);
        Assert.Equal("", (await _kubectl.RunAsync("delete", "deployment", "httpbin", "-n", "delete-me", "--ignore-not-found")).AssertSuccess().Stdout);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_it_and_everything_in_it()
    {
        await DeployHttpbinAsync("doomed");
        Assert.NotEmpty(fixture.Cluster.Store.List("pods", "doomed").Items);

        Assert.Equal(["namespace \"doomed\" deleted"], (await _kubectl.RunAsync("delete", "namespace", "doomed")).AssertSuccess().Lines);

        Assert.Contains("Error from server (NotFound): namespaces \"doomed\" not found", (await _kubectl.RunAsync("get", "namespace", "doomed")).AssertFailure().Stderr);
        await _kubectl.WaitForAsync(
            r => r.Succeeded && r.Stdout.Length == 0 && r.Stderr.Contains("No resources found in doomed namespace."),
            "get", "deployments,replicasets,pods,services,endpoints,configmaps", "-n", "doomed");
        foreach (var key in fixture.Cluster.Store.StorageKeys())
        {
            Assert.Empty(fixture.Cluster.Store.List(key, "doomed").Items);
        }

        Assert.DoesNotContain("doomed", (await _kubectl.RunAsync("get", "ns", "-o", "name")).AssertSuccess().Lines);

        // The name is free again.
        (await _kubectl.RunAsync("create", "namespace", "doomed")).AssertSuccess();
        Assert.Equal("Active", (await _kubectl.RunAsync("get", "namespace", "doomed")).AssertSuccess().Table.Row("doomed")["STATUS"]);
    }

    [Fact]
    public async Task Watch_prints_the_new_state_after_a_change()
    {
        await DeployHttpbinAsync("watched");

        using var watch = _kubectl.Start("get", "deployment", "httpbin", "-n", "watched", "--watch", "--request-timeout=90s");
        var initial = await watch.WaitForLineAsync(line => line.StartsWith("httpbin ", StringComparison.Ordinal) && Cells(line)[1] == "2/2");
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], KubectlTable.Parse(watch.Lines[0] + "\n").Headers);

        (await _kubectl.RunAsync("scale", "deployment", "httpbin", "-n", "watched", "--replicas=4")).AssertSuccess();
        await watch.WaitForLineAsync(line => line.StartsWith("httpbin ", StringComparison.Ordinal) && Cells(line)[1] == "4/4" && Cells(line)[3] == "4", initial + 1);

        using var nsWatch = _kubectl.Start("get", "namespaces", "--watch", "--output-watch-events", "--request-timeout=90s");
        await nsWatch.WaitForLineAsync(line => Cells(line) is ["ADDED", "watched", "Active", ..]);
        (await _kubectl.RunAsync("create", "namespace", "watched-too")).AssertSuccess();
        await nsWatch.WaitForLineAsync(line => Cells(line) is ["ADDED", "watched-too", "Active", ..]);
        (await _kubectl.RunAsync("label", "namespace", "watched-too", "team=canal")).AssertSuccess();
        await nsWatch.WaitForLineAsync(line => Cells(line) is ["MODIFIED", "watched-too", "Active", ..]);
        (await _kubectl.RunAsync("delete", "namespace", "watched-too")).AssertSuccess();
        await nsWatch.WaitForLineAsync(line => Cells(line) is ["DELETED", "watched-too", ..]);
    }

    [Fact]
    public async Task Scaling_to_three_replicas_gives_three_endpoints()
    {
        await DeployHttpbinAsync("scaled");

        Assert.Equal(["deployment.apps/httpbin scaled"], (await _kubectl.RunAsync("scale", "deploy", "httpbin", "-n", "scaled", "--replicas=3")).AssertSuccess().Lines);

        var endpoints = await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["ENDPOINTS"].Split(',').Length == 3, "get", "endpoints", "httpbin", "-n", "scaled");
        var addresses = endpoints.Table.Row("httpbin")["ENDPOINTS"].Split(',');
        Assert.All(addresses, a => Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:8080$", a));
        Assert.Equal(3, addresses.Distinct().Count());

        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["READY"] == "3/3", "get", "deploy", "httpbin", "-n", "scaled");
        var podIps = (await _kubectl.RunAsync("get", "pods", "-n", "scaled", "-l", "app=pipy", "-o", "jsonpath={.items[*].status.podIP}")).AssertSuccess().Stdout;
        Assert.Equal(podIps.Split(' ').Select(ip => ip + ":8080").Order(StringComparer.Ordinal), addresses.Order(StringComparer.Ordinal));

        // And back down: the endpoints follow.
        (await _kubectl.RunAsync("scale", "deploy", "httpbin", "-n", "scaled", "--replicas=1")).AssertSuccess();
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["ENDPOINTS"].Split(',').Length == 1, "get", "endpoints", "httpbin", "-n", "scaled");
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Rows.Count == 1, "get", "pods", "-n", "scaled");
    }

    private async Task DeployHttpbinAsync(string ns)
    {
        (await _kubectl.RunWithInputAsync(Manifests.Httpbin(ns), "apply", "-f", "-")).AssertSuccess();
        await _kubectl.WaitForAsync(r => r.Succeeded && r.Table.Row("httpbin")["ENDPOINTS"].Split(',').Length == 2, "get", "endpoints", "httpbin", "-n", ns);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

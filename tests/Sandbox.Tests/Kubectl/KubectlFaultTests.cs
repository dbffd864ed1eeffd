using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>Injected faults as kubectl sees them.</summary>
public sealed class KubectlFaultTests(KubectlSandboxFixture fixture) : IClassFixture<KubectlSandboxFixture>
{
    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    [Fact]
    public async Task Offline_cluster_refuses_connections_and_serves_the_same_state_when_back()
    {
        (await _kubectl.RunAsync("create", "namespace", "survivor")).AssertSuccess();
        var port = fixture.Cluster.Port;

        await fixture.Cluster.GoOfflineAsync();
        try
        {
            var refused = (await _kubectl.RunAsync("get", "ns")).AssertFailure();
            Assert.Contains($"The connection to the server 127.0.0.1:{port} was refused", refused.Stderr);
            Assert.Equal("", refused.Stdout);
        }
        finally
        {
            await fixture.Cluster.GoOnlineAsync();
        }

        Assert.Equal(port, fixture.Cluster.Port);
        var table = (await _kubectl.RunAsync("get", "ns", "survivor")).AssertSuccess().Table;
        Assert.Equal("Active", table.Row("survivor")["STATUS"]);
        (await _kubectl.RunAsync("create", "namespace", "after-outage")).AssertSuccess();
    }

    [Fact]
    public async Task A_forbidden_verb_is_refused_in_kube_apiservers_words_and_allowed_again()
    {
        (await _kubectl.RunAsync("create", "namespace", "guarded")).AssertSuccess();
        fixture.Cluster.Faults.Forbidden.Deny("list", "networking.k8s.io", "ingresses");
        try
        {
            var refused = (await _kubectl.RunAsync("get", "ingresses", "-A")).AssertFailure();
            Assert.Contains(
                "Error from server (Forbidden): ingresses.networking.k8s.io is forbidden: User \"system:serviceaccount:sandbox:reconciler\" cannot list resource \"ingresses\" in API group \"networking.k8s.io\" at the cluster scope",
                refused.Stderr);

            // Only that verb on that resource: the rest is served.
            (await _kubectl.RunAsync("get", "ingresses", "-n", "guarded", "missing", "--ignore-not-found")).AssertSuccess();
            (await _kubectl.RunAsync("get", "services", "-A")).AssertSuccess();
        }
        finally
        {
            fixture.Cluster.Faults.Forbidden.Allow("list", "networking.k8s.io", "ingresses");
        }

        (await _kubectl.RunAsync("get", "ingresses", "-A")).AssertSuccess();
    }

    [Fact]
    public async Task Injected_server_errors_reach_kubectl_and_then_stop()
    {
        (await _kubectl.RunAsync("get", "ns", "default")).AssertSuccess();

        fixture.Cluster.Faults.FailRequests(500, 1);
        var failed = (await _kubectl.RunAsync("get", "ns", "default")).AssertFailure();
        Assert.Contains("Error from server (InternalError): injected fault: the sandbox cluster cluster-1 answers 500", failed.Stderr);

        Assert.Equal("Active", (await _kubectl.RunAsync("get", "ns", "default")).AssertSuccess().Table.Row("default")["STATUS"]);
    }

    [Fact]
    public async Task Frozen_cluster_makes_kubectl_time_out_and_thawing_serves_again()
    {
        fixture.Cluster.Faults.Freeze();
        try
        {
            var frozen = (await _kubectl.RunAsync("get", "ns", "--request-timeout=2s")).AssertFailure();
            // kubectl words it "Client.Timeout exceeded while awaiting headers" or "context deadline exceeded",
            // depending on which request (discovery or the list) hits the timeout first.
            Assert.Matches("(?i)timeout|deadline exceeded", frozen.Stderr);
        }
        finally
        {
            fixture.Cluster.Faults.Thaw();
        }

        (await _kubectl.RunAsync("get", "ns", "--request-timeout=30s")).AssertSuccess();
    }
}

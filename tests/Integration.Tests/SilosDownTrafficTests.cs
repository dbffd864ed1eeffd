using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.TestSupport.Kubectl;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The data plane reads only its own member's objects, by watch: with every silo stopped, cross-cluster requests keep
/// flowing on the last routing written. Own sandbox and silos: this test stops them.
/// </summary>
public sealed class SilosDownTrafficTests(ReconcilerFixture fixture) : IClassFixture<ReconcilerFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("erie-canal-kubectl-").FullName;

    [Fact]
    public async Task Requests_keep_reaching_the_other_cluster_with_every_silo_stopped()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        const string ns = "no-silos";
        await Workloads.DeployAsync(c1, ns, "api");
        await Workloads.ExportAsync(c1, ns, "api", portNumber: 8080);
        await Workloads.ApplyPolicyAsync(c2, ns, "api", LbTypes.ActiveActive);
        await Manifests.ApplyAsync(c2, Manifests.Seed("03-curl.yaml"));
        await Eventually.Until(() => Manifests.GetImportAsync(c2, ns, "api"),
            i => i?.Status?.Routing?["activeEndpoints"]?.GetValue<int>() == 1, "cluster-2 routes to cluster-1");

        var pod = (await c1.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=api")).Items.Single().Metadata.Name;
        var kubectl = new KubectlRunner(fixture.Environment.Kubeconfigs["cluster-2"], _work);
        var curl = (await kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim().Length > 0,
            "get", "po", "-n", "curl", "-l", "app=curl", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}")).Stdout.Trim();
        string[] command = ["exec", curl, "-n", "curl", "-c", "curl", "--", "curl", "-s", $"http://api.{ns}:8080/"];
        await kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Trim() == pod, command);

        await fixture.Silos.StopAllSilosAsync();
        Assert.Empty(fixture.Silos.Silos);
        for (var i = 0; i < 5; i++)
        {
            var answer = await kubectl.RunAsync(command);
            Assert.True(answer.Succeeded, answer.ToString());
            Assert.Equal(pod, answer.Stdout.Trim());
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

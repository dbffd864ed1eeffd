using System.Diagnostics;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Faults;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Per-service health: a service of cluster-1 whose pods are all unready, or whose gateway path answers 5xx, is
/// Unhealthy in cluster-3's routing while another service of cluster-1 stays Active (the member is not evicted).
/// Own sandbox: these fault workloads.
/// </summary>
public sealed class ServiceHealthTests(ReconcilerFixture fixture, ITestOutputHelper output) : IClassFixture<ReconcilerFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";

    [Fact]
    public async Task A_service_whose_pods_are_all_unready_is_unhealthy_alone()
    {
        const string ns = "svc-unready";
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await ServeAsync(c1, c3, ns, "cart", "catalog");

        var clock = Stopwatch.StartNew();
        await ScaleAsync(c1, ns, "cart", 0);
        await HealthRouting.WaitAsync(c3, ns, "cart", Cluster1, EndpointStates.Unhealthy, "all pods unready -> that service Unhealthy in cluster-3", clock, output);
        await AssertStillServedAsync(c3, ns, "catalog");

        clock.Restart();
        await ScaleAsync(c1, ns, "cart", 1);
        await HealthRouting.WaitAsync(c3, ns, "cart", Cluster1, EndpointStates.Active, "pods ready again -> Active in cluster-3", clock, output);
    }

    [Fact]
    public async Task A_service_whose_gateway_path_answers_5xx_is_unhealthy_alone()
    {
        const string ns = "svc-errors";
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await ServeAsync(c1, c3, ns, "orders", "billing");

        var faults = fixture.Member("cluster-1").Faults.Workloads;
        var clock = Stopwatch.StartNew();
        faults.Set(ns, "orders", WorkloadFault.Error(503));
        try
        {
            await HealthRouting.WaitAsync(c3, ns, "orders", Cluster1, EndpointStates.Unhealthy, "path answers 503 -> that service Unhealthy in cluster-3", clock, output);
            await AssertStillServedAsync(c3, ns, "billing");
        }
        finally
        {
            faults.Set(ns, "orders", WorkloadFault.None);
        }

        clock.Restart();
        await HealthRouting.WaitAsync(c3, ns, "orders", Cluster1, EndpointStates.Active, "path answers 2xx again -> Active in cluster-3", clock, output);
    }

    [Fact]
    public async Task A_4xx_from_the_service_is_an_answer_not_a_failure()
    {
        const string ns = "svc-4xx";
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await ServeAsync(c1, c3, ns, "search", "ads");

        // 404 from search and 503 from ads: once ads is Unhealthy (its probes ran), search's 404s have been probed as long.
        var faults = fixture.Member("cluster-1").Faults.Workloads;
        faults.Set(ns, "search", WorkloadFault.Error(404));
        faults.Set(ns, "ads", WorkloadFault.Error(503));
        try
        {
            await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, "ads"), i => HealthRouting.All(i, Cluster1, EndpointStates.Unhealthy), "ads Unhealthy");
            var search = await Manifests.GetImportAsync(c3, ns, "search");
            Assert.True(HealthRouting.All(search, Cluster1, EndpointStates.Active), "a 404 keeps the service Active");
        }
        finally
        {
            faults.Set(ns, "search", WorkloadFault.None);
            faults.Set(ns, "ads", WorkloadFault.None);
        }
    }

    [Fact]
    public async Task Latency_below_the_probe_timeout_is_no_failure_a_hang_is()
    {
        const string ns = "svc-slow";
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await ServeAsync(c1, c3, ns, "reports", "exports");

        // reports answers 300 ms late and exports never: once exports is Unhealthy (its probes timed out), reports'
        // slow answers have been probed as long, and must not have been taken for failures.
        var faults = fixture.Member("cluster-1").Faults.Workloads;
        faults.Set(ns, "reports", WorkloadFault.Delay(TimeSpan.FromMilliseconds(300)));
        faults.Set(ns, "exports", WorkloadFault.Hang);
        try
        {
            await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, "exports"), i => HealthRouting.All(i, Cluster1, EndpointStates.Unhealthy), "hanging exports Unhealthy");
            Assert.True(HealthRouting.All(await Manifests.GetImportAsync(c3, ns, "reports"), Cluster1, EndpointStates.Active), "a slow answer keeps the service Active");
        }
        finally
        {
            faults.Set(ns, "reports", WorkloadFault.None);
            faults.Set(ns, "exports", WorkloadFault.None);
        }
    }

    /// <summary>Both services run in cluster-1 only, exported with a path, ActiveActive in cluster-3 and active there.</summary>
    private static async Task ServeAsync(IKubernetes c1, IKubernetes c3, string ns, params string[] services)
    {
        foreach (var name in services)
        {
            await Workloads.DeployAsync(c1, ns, name);
            await Workloads.ExportAsync(c1, ns, name, portNumber: 8080);
            await Workloads.ApplyPolicyAsync(c3, ns, name, LbTypes.ActiveActive);
        }

        foreach (var name in services)
        {
            await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, name), i => HealthRouting.All(i, Cluster1, EndpointStates.Active), $"{name} active in cluster-3");
        }
    }

    /// <summary>The member's other service is still Active, and the member itself still Healthy.</summary>
    private async Task AssertStillServedAsync(IKubernetes c3, string ns, string other)
    {
        Assert.True(HealthRouting.All(await Manifests.GetImportAsync(c3, ns, other), Cluster1, EndpointStates.Active), $"{other} of the same member stays Active");
        using var controlPlane = fixture.Client("control-plane");
        var healthy = await ExtraMembers.ConditionAsync(controlPlane, "cluster-1", ConditionTypes.Healthy);
        Assert.Equal("True", healthy?.Status);
    }

    private static Task ScaleAsync(IKubernetes client, string ns, string name, int replicas) =>
        client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch), name, ns);
}

using System.Diagnostics;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Member faults with the production health defaults: a gateway refusing connections, a gateway blackhole and an
/// API server offline mark the member's endpoints Unhealthy in another member's ServiceImport routing, and recovery
/// marks them Active again. The seconds each took are printed, not asserted. Own sandbox: these break members.
/// </summary>
public sealed class FastHealthTests(ReconcilerFixture fixture, ITestOutputHelper output) : IClassFixture<ReconcilerFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private const string Cluster2 = "default/default/default/cluster-2";

    [Fact]
    public async Task A_gateway_refusing_connections_marks_the_member_unhealthy_then_healthy_after_start()
    {
        using var c3 = await ServeAsync("fast-refused");
        var gateway = fixture.Member("cluster-1").Gateway;
        var clock = Stopwatch.StartNew();
        await gateway.StopAsync();
        try
        {
            var failed = await HealthRouting.WaitAsync(c3, "fast-refused", "fast-refused", Cluster1, EndpointStates.Unhealthy, "gateway refused -> Unhealthy in cluster-3", clock, output);
            Assert.True(HealthRouting.All(failed, Cluster2, EndpointStates.Active), "the other member's endpoint stays active");
        }
        finally
        {
            await gateway.StartAsync();
        }

        clock.Restart();
        await HealthRouting.WaitAsync(c3, "fast-refused", "fast-refused", Cluster1, EndpointStates.Active, "gateway started -> Active in cluster-3", clock, output);
    }

    [Fact]
    public async Task A_gateway_blackhole_marks_the_member_unhealthy_then_healthy_after_healing()
    {
        using var c3 = await ServeAsync("fast-blackhole");
        var gateway = fixture.Member("cluster-1").Gateway;
        var clock = Stopwatch.StartNew();
        await gateway.BlackholeAsync();
        try
        {
            await HealthRouting.WaitAsync(c3, "fast-blackhole", "fast-blackhole", Cluster1, EndpointStates.Unhealthy, "gateway blackhole -> Unhealthy in cluster-3", clock, output);
        }
        finally
        {
            await gateway.StartAsync();
        }

        clock.Restart();
        await HealthRouting.WaitAsync(c3, "fast-blackhole", "fast-blackhole", Cluster1, EndpointStates.Active, "blackhole healed -> Active in cluster-3", clock, output);
    }

    [Fact]
    public async Task An_api_server_offline_marks_the_member_unhealthy_then_healthy_when_back()
    {
        using var c3 = await ServeAsync("fast-offline");
        var member = fixture.Member("cluster-1");
        var clock = Stopwatch.StartNew();
        await member.GoOfflineAsync();
        try
        {
            await HealthRouting.WaitAsync(c3, "fast-offline", "fast-offline", Cluster1, EndpointStates.Unhealthy, "API server offline -> Unhealthy in cluster-3", clock, output);
        }
        finally
        {
            await member.GoOnlineAsync();
        }

        clock.Restart();
        await HealthRouting.WaitAsync(c3, "fast-offline", "fast-offline", Cluster1, EndpointStates.Active, "API server back -> Active in cluster-3", clock, output);
    }

    /// <summary>
    /// ns/ns exported from cluster-1 and cluster-2 (its own name: export paths are /name, one gateway path per name),
    /// ActiveActive in cluster-3, both endpoints active there.
    /// </summary>
    private async Task<k8s.Kubernetes> ServeAsync(string ns)
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, ns, ns);
        await Workloads.DeployAsync(c2, ns, ns);
        await Workloads.ExportAsync(c1, ns, ns, portNumber: 8080);
        await Workloads.ExportAsync(c2, ns, ns, portNumber: 8080);
        await Workloads.ApplyPolicyAsync(c3, ns, ns, LbTypes.ActiveActive);
        await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, ns),
            i => HealthRouting.All(i, Cluster1, EndpointStates.Active) && HealthRouting.All(i, Cluster2, EndpointStates.Active), "both endpoints active in cluster-3");
        return c3;
    }
}

using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Member health travels off the import path: a member going unhealthy changes routing status in every member and
/// never rewrites a ServiceImport's spec. Own sandbox: this stops a gateway.
/// </summary>
public sealed class HealthPathTests(ReconcilerFixture fixture) : IClassFixture<ReconcilerFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";

    [Fact]
    public async Task A_member_going_unhealthy_patches_routing_status_only()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, "health-path", "web");
        await Workloads.DeployAsync(c2, "health-path", "web");
        await Workloads.ExportAsync(c1, "health-path", "web");
        await Workloads.ExportAsync(c2, "health-path", "web");
        await Workloads.ApplyPolicyAsync(c3, "health-path", "web", LbTypes.ActiveActive);

        var settled = await Eventually.Until(() => Manifests.GetImportAsync(c3, "health-path", "web"),
            i => StateOf(i, Cluster1) == EndpointStates.Active && i!.Status?.Routing?["activeEndpoints"]?.GetValue<int>() == 2, "both endpoints active in cluster-3");
        var generation = settled!.Metadata.Generation;
        var hash = settled.Metadata.Annotations[ServiceImportResource.SpecHashAnnotation];
        Assert.False(string.IsNullOrEmpty(hash));

        await fixture.Member("cluster-1").Gateway.StopAsync();
        try
        {
            var failed = await Eventually.Until(() => Manifests.GetImportAsync(c3, "health-path", "web"),
                i => StateOf(i, Cluster1) == EndpointStates.Unhealthy, "cluster-1 marked Unhealthy in cluster-3's routing status");
            Assert.Equal(generation, failed!.Metadata.Generation);
            Assert.Equal(hash, failed.Metadata.Annotations[ServiceImportResource.SpecHashAnnotation]);
        }
        finally
        {
            await fixture.Member("cluster-1").Gateway.StartAsync();
        }

        var recovered = await Eventually.Until(() => Manifests.GetImportAsync(c3, "health-path", "web"),
            i => StateOf(i, Cluster1) == EndpointStates.Active, "cluster-1 active again");
        Assert.Equal(generation, recovered!.Metadata.Generation);
        Assert.Equal(hash, recovered.Metadata.Annotations[ServiceImportResource.SpecHashAnnotation]);
    }

    private static string? StateOf(ServiceImportResource? import, string clusterKey) =>
        import?.Status?.Routing?["ports"]?.AsArray()
            .SelectMany(p => p!["endpoints"]!.AsArray())
            .FirstOrDefault(e => e!["clusterKey"]!.GetValue<string>() == clusterKey)?["state"]?.GetValue<string>();
}

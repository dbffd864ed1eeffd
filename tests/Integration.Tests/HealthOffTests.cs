using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>The ErieCanal-equivalent configuration: health checking off.</summary>
public sealed class HealthOffFixture : ReconcilerFixture
{
    protected override IReadOnlyDictionary<string, string> SiloSettings { get; } = new Dictionary<string, string> { ["ErieCanal:Health:Enabled"] = "false" };
}

/// <summary>
/// With <c>ErieCanal:Health:Enabled=false</c> nothing is judged: a service without ready pods stays Active, like in
/// ErieCanal. Own sandbox and silos (their configuration differs).
/// </summary>
public sealed class HealthOffTests(HealthOffFixture fixture) : IClassFixture<HealthOffFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";

    [Fact]
    public async Task Without_health_checking_an_unready_service_stays_active()
    {
        const string ns = "health-off";
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, ns, "web");
        await Workloads.ExportAsync(c1, ns, "web");
        await Workloads.ApplyPolicyAsync(c3, ns, "web", LbTypes.ActiveActive);
        await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, "web"), i => HealthRouting.All(i, Cluster1, EndpointStates.Active), "active in cluster-3");

        await c1.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":0}}", V1Patch.PatchType.MergePatch), "web", ns);
        await Eventually.Until(async () => (await c1.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: "kubernetes.io/service-name=web")).Items
            .All(s => (s.Endpoints ?? []).All(e => e.Conditions?.Ready == false)), "no ready endpoint left in cluster-1");

        // A second port travels in the same (whole) observation as the readiness: once it is in the routing, the
        // unready observation has been judged.
        await c1.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            "{\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"},{\"name\":\"admin\",\"port\":9090,\"protocol\":\"TCP\"}]}}",
            V1Patch.PatchType.MergePatch), "web", ns);
        var import = await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, "web"), i => HealthRouting.States(i, Cluster1).Count == 2, "the second port routed in cluster-3");
        Assert.All(HealthRouting.States(import, Cluster1), s => Assert.Equal(EndpointStates.Active, s));
    }
}

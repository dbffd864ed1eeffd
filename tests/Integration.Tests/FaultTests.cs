using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>Watch faults injected by the sandbox, member outages, and failover. Own sandbox: these break members.</summary>
public sealed class FaultTests(ReconcilerFixture fixture) : IClassFixture<ReconcilerFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private const string Cluster2 = "default/default/default/cluster-2";
    private const string Cluster3 = "default/default/default/cluster-3";

    [Fact]
    public async Task Compaction_and_dropped_watches_lose_nothing()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        await Workloads.DeployAsync(c1, "faults-410", "before");
        await Workloads.ExportAsync(c1, "faults-410", "before");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "faults-410", "before"), i => i is not null, "imported before the fault");

        // Break the watches and compact history while changes land: the informers must relist (410) and still see
        // the new export and the deleted one.
        var member = fixture.Member("cluster-1");
        member.Faults.DropWatches();
        await Workloads.DeployAsync(c1, "faults-410", "during2");
        await Workloads.ExportAsync(c1, "faults-410", "during2");
        await Manifests.DeleteExportAsync(c1, "faults-410", "before");
        member.Store.Compact();
        member.Faults.DropWatches();
        member.Faults.FailRequests(503, 3);

        await Eventually.Until(() => Manifests.GetImportAsync(c2, "faults-410", "during2"), i => i is not null, "export made around the fault imported");
        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "faults-410", "before") is null, "export deleted around the fault withdrawn");
    }

    [Fact]
    public async Task A_member_offline_is_reported_and_catches_up_when_back()
    {
        using var controlPlane = fixture.Client("control-plane");
        using var c2 = fixture.Client("cluster-2");
        var member = fixture.Member("cluster-3");
        await Workloads.DeployAsync(fixture.Client("cluster-3"), "offline", "before");

        await member.GoOfflineAsync();
        await Eventually.Until(() => ManagedAsync(controlPlane, "cluster-3"), c => c is { Status: "False", Reason: ConditionReasons.Unreachable }, "Managed=False Unreachable while offline");

        await member.GoOnlineAsync();
        using var c3 = fixture.Client("cluster-3");
        await Workloads.ExportAsync(c3, "offline", "before");
        await Eventually.Until(() => ManagedAsync(controlPlane, "cluster-3"), c => c?.Status == "True", "Managed=True again");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "offline", "before"), i => i is not null, "export made after recovery imported");
    }

    [Fact]
    public async Task A_gateway_outage_marks_the_member_unhealthy_promotes_failover_standbys_and_recovers()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var controlPlane = fixture.Client("control-plane");
        await Workloads.DeployAsync(c1, "failover", "pay");
        await Workloads.DeployAsync(c2, "failover", "pay");
        await Workloads.ExportAsync(c1, "failover", "pay");
        await Workloads.ExportAsync(c2, "failover", "pay");
        await Workloads.ApplyPolicyAsync(c2, "failover", "pay", LbTypes.FailOver, (Cluster1, null));
        var writer = fixture.Silos.Client.GetGrain<IImportWriterGrain>(Cluster2);

        var normal = await Eventually.Until(() => writer.GetRouting("failover", "pay"),
            r => r is { LbType: LbTypes.FailOver } && State(r, Cluster2) == EndpointStates.Active && State(r, Cluster1) == EndpointStates.Standby,
            "local primary active, cluster-1 standby");
        Assert.Equal(1, normal!.ActiveEndpoints);

        // cluster-2's own gateway goes down: the primary is unhealthy, the standby is promoted.
        await fixture.Member("cluster-2").Gateway.StopAsync();
        var failed = await Eventually.Until(() => writer.GetRouting("failover", "pay"),
            r => r is not null && State(r, Cluster2) == EndpointStates.Unhealthy && State(r, Cluster1) == EndpointStates.Active, "standby promoted");
        Assert.Equal(1, failed!.ActiveEndpoints);
        await Eventually.Until(() => HealthyAsync(controlPlane, "cluster-2"), c => c is { Status: "False", Reason: ConditionReasons.GatewayUnreachable }, "Cluster reports Healthy=False");

        // Recovery restores the primary (after the healthy threshold: hysteresis).
        await fixture.Member("cluster-2").Gateway.StartAsync();
        await Eventually.Until(() => writer.GetRouting("failover", "pay"),
            r => r is not null && State(r, Cluster2) == EndpointStates.Active && State(r, Cluster1) == EndpointStates.Standby, "primary restored");
        await Eventually.Until(() => HealthyAsync(controlPlane, "cluster-2"), c => c?.Status == "True", "Cluster reports Healthy=True");
    }

    [Fact]
    public async Task A_service_without_ready_endpoints_is_unhealthy_in_every_routing()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await Workloads.DeployAsync(c1, "no-ready", "api");
        await Workloads.DeployAsync(c3, "no-ready", "api");
        await Workloads.ExportAsync(c1, "no-ready", "api");
        await Workloads.ExportAsync(c3, "no-ready", "api");
        await Workloads.ApplyPolicyAsync(c3, "no-ready", "api", LbTypes.ActiveActive);
        var writer = fixture.Silos.Client.GetGrain<IImportWriterGrain>(Cluster3);
        await Eventually.Until(() => writer.GetRouting("no-ready", "api"), r => r?.ActiveEndpoints == 2, "both active");

        await c1.AppsV1.PatchNamespacedDeploymentScaleAsync(new k8s.Models.V1Patch("{\"spec\":{\"replicas\":0}}", k8s.Models.V1Patch.PatchType.MergePatch), "api", "no-ready");

        var routing = await Eventually.Until(() => writer.GetRouting("no-ready", "api"), r => r is not null && State(r, Cluster1) == EndpointStates.Unhealthy, "cluster-1 endpoint unhealthy");
        Assert.Equal(1, routing!.ActiveEndpoints);
    }

    private static string? State(Routing routing, string clusterKey) =>
        routing.Ports.SelectMany(p => p.Endpoints).FirstOrDefault(e => e.ClusterKey == clusterKey)?.State;

    private static async Task<Condition?> ManagedAsync(IKubernetes controlPlane, string name) => Manifests.ConditionOf((await ClusterAsync(controlPlane, name)).Status?.Conditions, ConditionTypes.Managed);

    private static async Task<Condition?> HealthyAsync(IKubernetes controlPlane, string name) => Manifests.ConditionOf((await ClusterAsync(controlPlane, name)).Status?.Conditions, ConditionTypes.Healthy);

    private static async Task<ClusterResource> ClusterAsync(IKubernetes controlPlane, string name)
    {
        var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);
        return KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)raw).GetRawText());
    }
}

using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Sessions;
using Xunit;
using k8s;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>The leaks ErieCanal has: nothing may outlive what it was derived from.</summary>
[Collection(ReconcilerCollection.Name)]
public sealed class LeakTests(ReconcilerFixture fixture)
{
    [Fact]
    public async Task Deleting_the_Service_before_its_export_withdraws_it_and_the_export_reports_why()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        await Workloads.DeployAsync(c1, "leak-service", "web");
        await Workloads.ExportAsync(c1, "leak-service", "web");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "leak-service", "web"), i => i is not null, "imported");

        await c1.CoreV1.DeleteNamespacedServiceAsync("web", "leak-service");

        await Eventually.Until(async () => await Manifests.GetImportAsync(c2, "leak-service", "web") is null, "import deleted once the Service is gone");
        await Eventually.Until(() => Manifests.GetExportAsync(c1, "leak-service", "web"),
            e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Valid)?.Reason == ConditionReasons.NoService, "export reports NoService");

        // The Service coming back makes the export valid again.
        await Workloads.CreateServiceAsync(c1, "leak-service", "web");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "leak-service", "web"), i => i is not null, "imported again");
    }

    [Fact]
    public async Task An_ExternalName_service_is_invalid_and_contributes_nothing()
    {
        using var c3 = fixture.Client("cluster-3");
        await Workloads.EnsureNamespaceAsync(c3, "external");
        await c3.CoreV1.CreateNamespacedServiceAsync(new k8s.Models.V1Service
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "ext", NamespaceProperty = "external" },
            Spec = new k8s.Models.V1ServiceSpec { Type = "ExternalName", ExternalName = "example.invalid" },
        }, "external");
        await Workloads.ExportAsync(c3, "external", "ext");

        var export = await Eventually.Until(() => Manifests.GetExportAsync(c3, "external", "ext"),
            e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Valid) is not null, "export evaluated");
        Assert.Equal(ConditionReasons.InvalidServiceType, Manifests.ConditionOf(export!.Status!.Conditions, ConditionTypes.Valid)!.Reason);
        Assert.Null(await Manifests.GetImportAsync(c3, "external", "ext"));
    }
}

/// <summary>Cluster removal runs on its own sandbox so the shared members stay registered for the other tests.</summary>
public sealed class ClusterRemovalTests : IClassFixture<ReconcilerFixture>
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private readonly ReconcilerFixture _fixture;

    public ClusterRemovalTests(ReconcilerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Deleting_a_Cluster_withdraws_its_endpoints_deletes_its_imports_and_releases_the_member()
    {
        using var c1 = _fixture.Client("cluster-1");
        using var c3 = _fixture.Client("cluster-3");
        using var controlPlane = _fixture.Client("control-plane");
        await Workloads.DeployAsync(c1, "removal", "svc");
        await Workloads.DeployAsync(c3, "removal", "svc");
        await Workloads.ExportAsync(c1, "removal", "svc");
        await Workloads.ExportAsync(c3, "removal", "svc");
        await Eventually.Until(() => Manifests.GetImportAsync(c1, "removal", "svc"), i => Manifests.EndpointClusters(i).Length == 2, "both exports imported");

        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "cluster-3");

        // cluster-3's endpoints leave every remaining member, and cluster-3 is left as if it never joined.
        await Eventually.Until(() => Manifests.GetImportAsync(c1, "removal", "svc"),
            i => Manifests.EndpointClusters(i).SequenceEqual([Cluster1]), "cluster-3 endpoints withdrawn");
        await Eventually.Until(async () => (await Manifests.GetImportAsync(c3, "removal", "svc")) is null, "imports deleted from the removed member");
        await Eventually.Until(async () =>
        {
            try
            {
                await c3.CoreV1.ReadNamespacedConfigMapAsync(MemberClaim.Name, MemberClaim.Namespace);
                return false;
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return true;
            }
        }, "membership claim released");
        await Eventually.Until(() => Manifests.GetExportAsync(c3, "removal", "svc"),
            e => e is not null && (e.Status?.Conditions is null || e.Status.Conditions.Count == 0), "the removed member's exports carry no conditions of ours");

        // The removed member is no longer watched nor written: an export made there afterwards reaches nobody, and
        // an export made elsewhere afterwards is imported everywhere but there.
        await Workloads.DeployAsync(c3, "removal", "late");
        await Workloads.ExportAsync(c3, "removal", "late");
        await Workloads.DeployAsync(c1, "removal", "after");
        await Workloads.ExportAsync(c1, "removal", "after");
        await Eventually.Until(() => Manifests.GetImportAsync(c1, "removal", "after"), i => i is not null, "a later export still propagates to the remaining members");
        Assert.Null(await Manifests.GetImportAsync(c3, "removal", "after"));
        Assert.Null(await Manifests.GetImportAsync(c1, "removal", "late"));
        var state = await _fixture.Silos.Client.GetGrain<IClusterGrain>("default/default/default/cluster-3").GetState();
        Assert.False(state.Managed);
    }
}

using System.Text.Json;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>A control plane not allowed to upgrade member CRDs (ErieCanal:UpgradeMemberCrds=false).</summary>
public sealed class NoCrdUpgradeFixture : ReconcilerFixture
{
    protected override bool RegisterMembers => false;

    protected override IReadOnlyDictionary<string, string> SiloSettings { get; } = new Dictionary<string, string> { ["ErieCanal:UpgradeMemberCrds"] = "false" };
}

/// <summary>
/// A member carrying older flomesh.io CRDs (ErieCanal's shape: ServiceImport status holds only `clusters`, the
/// policy's status is a bare object) prunes what the data plane reads, as a real API server does; with upgrades
/// disabled the Cluster says exactly which CRD and field, and the member stays managed.
/// </summary>
public sealed class CrdReportingTests(NoCrdUpgradeFixture fixture) : IClassFixture<NoCrdUpgradeFixture>
{
    [Fact]
    public async Task Older_CRDs_prune_routing_and_are_reported_on_the_Cluster_when_upgrades_are_off()
    {
        await using var sandbox = await SandboxHost.StartAsync(["older"]);
        using var member = ExtraMembers.Client(sandbox["older"]);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "older-crds"), "*.yaml"))
        {
            await member.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file)));
        }

        // The sandbox prunes as kube-apiserver does: routing written to such a member silently disappears.
        await member.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await member.CustomObjects.CreateNamespacedCustomObjectAsync(
            new { apiVersion = "flomesh.io/v1alpha1", kind = "ServiceImport", metadata = new { name = "web", @namespace = "shop" }, spec = new { type = "ClusterSetIP" } },
            ServiceImportResource.Group, ServiceImportResource.Version, "shop", ServiceImportResource.Plural);
        var patched = await member.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"routing":{"lbType":"Locality"},"clusters":[{"cluster":"c"}]}}""", V1Patch.PatchType.MergePatch),
            ServiceImportResource.Group, ServiceImportResource.Version, "shop", ServiceImportResource.Plural, "web");
        var status = ((JsonElement)patched).GetProperty("status");
        Assert.False(status.TryGetProperty("routing", out _), $"routing should be pruned: {status}");
        Assert.True(status.TryGetProperty("clusters", out _));

        await sandbox["older"].Gateway.StartAsync(0);
        using var controlPlane = fixture.Client("control-plane");
        await ExtraMembers.RegisterAsync(controlPlane, "older", sandbox["older"]);
        try
        {
            var crds = await Eventually.Until(() => ExtraMembers.ConditionAsync(controlPlane, "older", ConditionTypes.CrdsCompatible), c => c is not null, "CrdsCompatible reported");
            Assert.Equal(("False", ConditionReasons.IncompatibleCrd), (crds!.Status, crds.Reason));
            Assert.Contains("serviceimports.flomesh.io v1alpha1: status.routing is not in the schema", crds.Message, StringComparison.Ordinal);
            Assert.Contains("globaltrafficpolicies.flomesh.io", crds.Message, StringComparison.Ordinal);
            Assert.Contains("ErieCanal:UpgradeMemberCrds", crds.Message, StringComparison.Ordinal);

            // Reported, not fixed: the member's CRD is untouched, and the member is still managed.
            var imports = await member.ApiextensionsV1.ReadCustomResourceDefinitionAsync("serviceimports.flomesh.io");
            Assert.NotEmpty(CrdCompatibility.Check(imports, CrdCompatibility.Required[0].Fields));
            await Eventually.Until(() => ExtraMembers.ConditionAsync(controlPlane, "older", ConditionTypes.Managed), c => c?.Status == "True", "Managed=True");
        }
        finally
        {
            await ExtraMembers.UnregisterAsync(controlPlane, "older");
        }
    }
}

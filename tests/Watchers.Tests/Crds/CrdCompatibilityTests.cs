using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Crds;

/// <summary>
/// A member carrying older flomesh.io CRDs (tests/fixtures/older-crds: ServiceImport status with only clusters, a
/// bare GlobalTrafficPolicy status) is reported field by field, or upgraded to the chart's CRDs; against the sandbox.
/// </summary>
public sealed class CrdCompatibilityTests : SandboxContext
{
    [Fact]
    public async Task Older_CRDs_are_reported_naming_the_CRD_and_the_field_when_upgrading_is_off()
    {
        using var client = Client();
        await InstallOlderCrdsAsync(client);

        var report = await CrdCompatibility.EnsureAsync(client, upgrade: false, CancellationToken.None);

        Assert.False(report.Compatible);
        Assert.Equal(ConditionReasons.IncompatibleCrd, report.Reason);
        Assert.Contains("serviceimports.flomesh.io v1alpha1: status.routing is not in the schema; a real API server prunes it", report.Message, StringComparison.Ordinal);
        Assert.Contains("globaltrafficpolicies.flomesh.io v1alpha1: status.conditions is not in the schema", report.Message, StringComparison.Ordinal);
        Assert.Contains("serviceexports.flomesh.io v1alpha1: status.observedGeneration is not in the schema", report.Message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:UpgradeMemberCrds=false", report.Message, StringComparison.Ordinal);
        Assert.Empty(report.Upgraded);

        // Nothing was changed in the member.
        var imports = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("serviceimports.flomesh.io");
        Assert.Single(CrdCompatibility.Check(imports, [("status.routing", "x")]));
    }

    [Fact]
    public async Task Older_CRDs_are_upgraded_in_place_keeping_their_objects()
    {
        using var client = Client();
        await InstallOlderCrdsAsync(client);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new ServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
            Spec = new ServiceExportSpec { ServiceAccountName = "*" },
        }, ServiceExportResource.Group, ServiceExportResource.Version, "shop", ServiceExportResource.Plural);

        var report = await CrdCompatibility.EnsureAsync(client, upgrade: true, CancellationToken.None);

        Assert.True(report.Compatible, report.Message);
        Assert.Equal(ConditionReasons.CrdsUpgraded, report.Reason);
        Assert.Equal(["serviceimports.flomesh.io", "globaltrafficpolicies.flomesh.io", "serviceexports.flomesh.io"], report.Upgraded.ToArray());
        Assert.Contains("status.routing", report.Message, StringComparison.Ordinal);
        await client.CustomObjects.GetNamespacedCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, "shop", ServiceExportResource.Plural, "web");

        var again = await CrdCompatibility.EnsureAsync(client, upgrade: true, CancellationToken.None);
        Assert.Equal((true, ConditionReasons.Compatible), (again.Compatible, again.Reason));
        Assert.Empty(again.Upgraded);
    }

    [Fact]
    public async Task Missing_CRDs_are_installed_when_allowed_and_reported_otherwise()
    {
        using var client = Client();

        var refused = await CrdCompatibility.EnsureAsync(client, upgrade: false, CancellationToken.None);
        Assert.False(refused.Compatible);
        Assert.Equal(ConditionReasons.MissingCrd, refused.Reason);
        Assert.Contains("serviceimports.flomesh.io is not installed", refused.Message, StringComparison.Ordinal);

        var installed = await CrdCompatibility.EnsureAsync(client, upgrade: true, CancellationToken.None);
        Assert.True(installed.Compatible, installed.Message);
        Assert.Equal(3, installed.Upgraded.Length);
        await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("globaltrafficpolicies.flomesh.io");
    }

    [Fact]
    public void The_chart_CRDs_hold_everything_the_system_writes()
    {
        foreach (var (name, fields) in CrdCompatibility.Required)
        {
            Assert.Empty(CrdCompatibility.Check(CrdManifests.Get(name), fields));
        }
    }

    private static async Task InstallOlderCrdsAsync(IKubernetes client)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "older-crds"), "*.yaml"))
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file)));
        }
    }
}

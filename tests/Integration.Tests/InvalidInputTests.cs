using System.Net;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>Bad input gets a clear condition or a 4xx, and breaks nothing else.</summary>
[Collection(ReconcilerCollection.Name)]
public sealed class InvalidInputTests(ReconcilerFixture fixture)
{
    [Fact]
    public async Task A_Cluster_with_a_bad_kubeconfig_is_not_Managed_and_says_why()
    {
        using var controlPlane = fixture.Client("control-plane");
        await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "broken" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 1, Kubeconfig = "this: is: not: a kubeconfig" },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

        var cluster = await Eventually.Until(async () =>
        {
            var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "broken");
            return KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)raw).GetRawText());
        }, c => Manifests.ConditionOf(c.Status?.Conditions, ConditionTypes.Managed)?.Reason == ConditionReasons.InvalidKubeconfig, "Managed=False InvalidKubeconfig");
        Assert.Equal("False", Manifests.ConditionOf(cluster.Status!.Conditions, ConditionTypes.Managed)!.Status);

        // The healthy members are unaffected.
        var member = await fixture.Silos.Client.GetGrain<IClusterGrain>("default/default/default/cluster-1").GetState();
        Assert.True(member.Managed);
        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "broken");
    }

    [Fact]
    public async Task A_Cluster_whose_kubeconfig_runs_an_exec_plugin_is_refused_and_the_command_never_runs()
    {
        using var controlPlane = fixture.Client("control-plane");
        var marker = Path.Combine(Path.GetTempPath(), $"erie-canal-exec-{Guid.NewGuid():N}");
        var kubeconfig = """
            apiVersion: v1
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: ["-c", "touch${IFS}MARKER"], interactiveMode: Never}}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """.Replace("MARKER", marker, StringComparison.Ordinal);
        await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "exec-plugin" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 1, Kubeconfig = kubeconfig },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

        var cluster = await Eventually.Until(async () =>
        {
            var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "exec-plugin");
            return KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)raw).GetRawText());
        }, c => Manifests.ConditionOf(c.Status?.Conditions, ConditionTypes.Managed)?.Reason == ConditionReasons.InvalidKubeconfig, "Managed=False InvalidKubeconfig");
        Assert.Contains("exec plugin", Manifests.ConditionOf(cluster.Status!.Conditions, ConditionTypes.Managed)!.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "a silo ran the Cluster's exec plugin");
        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "exec-plugin");
    }

    [Fact]
    public async Task A_Cluster_whose_API_server_is_unreachable_is_not_Managed()
    {
        using var controlPlane = fixture.Client("control-plane");
        var kubeconfig = fixture.Member("cluster-1").Kubeconfig().Replace($":{fixture.Member("cluster-1").Port}", ":1", StringComparison.Ordinal);
        await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "nowhere" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 1, Kubeconfig = kubeconfig },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

        await Eventually.Until(async () =>
        {
            var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "nowhere");
            var c = KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)raw).GetRawText());
            return Manifests.ConditionOf(c.Status?.Conditions, ConditionTypes.Managed) is { Status: "False", Reason: ConditionReasons.Unreachable };
        }, "Managed=False Unreachable");
        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "nowhere");
    }

    [Fact]
    public async Task A_policy_with_an_unknown_clusterKey_reports_it_and_a_negative_weight_is_refused()
    {
        using var c2 = fixture.Client("cluster-2");
        await Workloads.ApplyPolicyAsync(c2, "gtp-invalid", "svc", LbTypes.ActiveActive, ("default/default/default/cluster-1", 50), ("default/default/default/cluster-9", null));

        var policy = await Eventually.Until(() => Manifests.GetCustomAsync<GlobalTrafficPolicyResource>(c2, GlobalTrafficPolicyResource.Plural, "gtp-invalid", "svc"),
            p => Manifests.ConditionOf(p?.Status?.Conditions, ConditionTypes.ResolvedRefs) is not null, "policy evaluated");
        var refs = Manifests.ConditionOf(policy!.Status!.Conditions, ConditionTypes.ResolvedRefs)!;
        Assert.Equal("False", refs.Status);
        Assert.Equal(ConditionReasons.UnknownClusterKey, refs.Reason);
        Assert.Contains("cluster-9", refs.Message, StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Workloads.ApplyPolicyAsync(c2, "gtp-invalid", "negative", LbTypes.ActiveActive, ("default/default/default/cluster-1", -5)));
        Assert.Equal((HttpStatusCode)422, refused.Response.StatusCode);
    }

    [Fact]
    public async Task A_ServiceExport_without_a_Service_is_invalid_until_the_Service_appears()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        await Workloads.ExportAsync(c1, "orphan-export", "ghost");

        var export = await Eventually.Until(() => Manifests.GetExportAsync(c1, "orphan-export", "ghost"),
            e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Valid) is not null, "export evaluated");
        var valid = Manifests.ConditionOf(export!.Status!.Conditions, ConditionTypes.Valid)!;
        Assert.Equal(("False", ConditionReasons.NoService), (valid.Status, valid.Reason));
        Assert.Contains("orphan-export/ghost", valid.Message, StringComparison.Ordinal);

        await Workloads.DeployAsync(c1, "orphan-export", "ghost");
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "orphan-export", "ghost"), i => i is not null, "imported once the Service exists");
    }

    [Fact]
    public async Task A_kubeconfigSecretRef_to_a_missing_Secret_is_reported()
    {
        using var controlPlane = fixture.Client("control-plane");
        await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "secretless" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 1, KubeconfigSecretRef = new KubeconfigSecretRef { Namespace = "default", Name = "missing" } },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

        var managed = await Eventually.Until(() => ManagedAsync(controlPlane, "secretless"), c => c?.Reason == ConditionReasons.InvalidKubeconfig, "Managed=False InvalidKubeconfig");
        Assert.Contains("default/missing", managed!.Message, StringComparison.Ordinal);
        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "secretless");
    }

    [Fact]
    public async Task A_member_claimed_by_another_control_plane_is_refused()
    {
        using var controlPlane = fixture.Client("control-plane");
        using var member = fixture.Client("cluster-2");
        var claim = await member.CoreV1.ReadNamespacedConfigMapAsync(Watchers.Sessions.MemberClaim.Name, Watchers.Sessions.MemberClaim.Namespace);
        var ours = claim.Data["controlPlane"];
        claim.Data["controlPlane"] = "another-control-plane";
        await member.CoreV1.ReplaceNamespacedConfigMapAsync(claim, claim.Metadata.Name, claim.Metadata.NamespaceProperty);
        try
        {
            await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
            {
                Metadata = new k8s.Models.V1ObjectMeta { Name = "cluster-2-again" },
                Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 1, Kubeconfig = fixture.Member("cluster-2").Kubeconfig() },
            }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

            var refused = await Eventually.Until(() => ManagedAsync(controlPlane, "cluster-2-again"), c => c?.Reason == ConditionReasons.ManagedElsewhere, "Managed=False ManagedElsewhere");
            Assert.Equal("False", refused!.Status);
            Assert.Contains("another-control-plane", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "cluster-2-again");
            var current = await member.CoreV1.ReadNamespacedConfigMapAsync(claim.Metadata.Name, claim.Metadata.NamespaceProperty);
            current.Data["controlPlane"] = ours;
            await member.CoreV1.ReplaceNamespacedConfigMapAsync(current, current.Metadata.Name, current.Metadata.NamespaceProperty);
        }
    }

    private static async Task<Condition?> ManagedAsync(IKubernetes controlPlane, string name)
    {
        var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);
        var cluster = KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)raw).GetRawText());
        return Manifests.ConditionOf(cluster.Status?.Conditions, ConditionTypes.Managed);
    }
}

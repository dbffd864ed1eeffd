using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// A permission missing in a member (a rule removed from the reconciler-access ClusterRole) is reported, never
/// crash-looped: the member's Cluster says Forbidden, naming the verb and resource in the API server's words, with a
/// Warning Event; the silos keep serving the other members, retry with backoff, and the condition clears once the
/// permission is back. Own sandbox: it breaks a member.
/// </summary>
public sealed class ForbiddenTests(ReconcilerFixture fixture) : IClassFixture<ReconcilerFixture>
{
    [Fact]
    public async Task A_member_forbidding_list_ingresses_is_reported_by_verb_and_resource_and_recovers()
    {
        using var controlPlane = fixture.Client("control-plane");
        using var c1 = fixture.Client("cluster-1");
        using var c3 = fixture.Client("cluster-3");
        await Eventually.Until(() => ManagedAsync(controlPlane, "cluster-2"), c => c?.Status == "True", "cluster-2 managed before the fault");

        // kube-apiserver's RBAC answers 403 to "list ingresses"; the informer finds out on its next relist: a watch
        // resumed from before a compacted history (a write, then compaction) gets 410 and must list again.
        var member = fixture.Member("cluster-2");
        using var c2 = fixture.Client("cluster-2");
        member.Faults.Forbidden.Deny("list", "networking.k8s.io", "ingresses");
        var writes = 0;
        var forbidden = await Eventually.Until(async () =>
        {
            await c2.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"churn-{writes++}" } }, "default");
            member.Store.Compact();
            member.Faults.DropWatches();
            return await ManagedAsync(controlPlane, "cluster-2");
        }, c => c is { Status: "False", Reason: "Forbidden" }, "Managed=False Forbidden");
        Assert.Contains("cannot list resource \"ingresses\" in API group \"networking.k8s.io\"", forbidden!.Message, StringComparison.Ordinal);
        var events = await Eventually.Until(() => controlPlane.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=cluster-2,involvedObject.kind=Cluster"),
            l => l.Items.Any(e => e is { Type: "Warning", Reason: "Forbidden" } && e.Message.Contains("cannot list resource \"ingresses\"", StringComparison.Ordinal)), "a Warning Event naming the refusal");
        Assert.NotNull(events);

        // The silos keep serving the members they can: an export between the others still propagates.
        await Workloads.DeployAsync(c1, "forbidden", "during");
        await Workloads.ExportAsync(c1, "forbidden", "during");
        await Eventually.Until(() => Manifests.GetImportAsync(c3, "forbidden", "during"), i => i is not null, "imported while cluster-2 is forbidden");

        // The rule is back: the retry with backoff succeeds and the condition clears.
        member.Faults.Forbidden.Allow("list", "networking.k8s.io", "ingresses");
        await Eventually.Until(() => ManagedAsync(controlPlane, "cluster-2"), c => c?.Status == "True", "Managed=True once the permission is back", TimeSpan.FromSeconds(90));
        await Eventually.Until(() => Manifests.GetImportAsync(c2, "forbidden", "during"), i => i is not null, "cluster-2 catches up");
    }

    [Fact]
    public async Task The_control_plane_refusing_a_kubeconfig_Secret_is_reported_on_its_Cluster_and_clears()
    {
        using var controlPlane = fixture.Client("control-plane");
        var sandboxControlPlane = fixture.Member("control-plane");
        sandboxControlPlane.Faults.Forbidden.Deny("get", "", "secrets");
        try
        {
            await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
            {
                Metadata = new V1ObjectMeta { Name = "guarded" },
                Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = 1, KubeconfigSecretRef = new KubeconfigSecretRef { Namespace = "default", Name = "guarded-kubeconfig" } },
            }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

            // The silo's own ServiceAccount lacks "get secrets": said so, in the API server's words, not blamed on the member.
            var forbidden = await Eventually.Until(() => ManagedAsync(controlPlane, "guarded"), c => c is { Status: "False", Reason: "Forbidden" }, "Managed=False Forbidden");
            Assert.Contains("the control plane refused this silo reading Secret default/guarded-kubeconfig", forbidden!.Message, StringComparison.Ordinal);
            Assert.Contains("cannot get resource \"secrets\"", forbidden.Message, StringComparison.Ordinal);
        }
        finally
        {
            sandboxControlPlane.Faults.Forbidden.Allow("get", "", "secrets");
        }

        // Allowed again: the retry reads the Secret, which does not exist, and says that instead.
        await Eventually.Until(() => ManagedAsync(controlPlane, "guarded"), c => c?.Reason == ConditionReasons.InvalidKubeconfig, "Managed=False InvalidKubeconfig once the Secret can be read", TimeSpan.FromSeconds(90));
        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, "guarded");
    }

    private static async Task<Condition?> ManagedAsync(IKubernetes controlPlane, string name)
    {
        var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);
        var cluster = KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)raw).GetRawText());
        return Manifests.ConditionOf(cluster.Status?.Conditions, ConditionTypes.Managed);
    }
}

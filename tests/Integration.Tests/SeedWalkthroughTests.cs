using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The seed walkthrough, played through the real watcher path on sandbox clusters and a two-silo Orleans cluster:
/// httpbin exported from cluster-1 and cluster-3, clients in cluster-2.
/// </summary>
[Collection(ReconcilerCollection.Name)]
public sealed class SeedWalkthroughTests(ReconcilerFixture fixture)
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private const string Cluster3 = "default/default/default/cluster-3";

    [Fact]
    public async Task Httpbin_is_imported_everywhere_routed_by_policy_and_withdrawn_export_by_export()
    {
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        var members = new[] { c1, c2, c3 };

        // Every member is Managed once its watches have synced.
        using var controlPlane = fixture.Client("control-plane");
        foreach (var name in new[] { "cluster-1", "cluster-2", "cluster-3" })
        {
            await Eventually.Until(async () =>
            {
                var cluster = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);
                var parsed = k8s.KubernetesJson.Deserialize<ClusterResource>(((System.Text.Json.JsonElement)cluster).GetRawText());
                return Manifests.ConditionOf(parsed.Status?.Conditions, ConditionTypes.Managed)?.Status == "True";
            }, $"{name} Managed=True");
        }

        // Karmada would propagate: httpbin to cluster-1 and cluster-3, curl to cluster-2, the export to all three.
        await Manifests.ApplyAsync(c1, Manifests.Seed("01-httpbin.yaml"));
        await Manifests.ApplyAsync(c3, Manifests.Seed("01-httpbin.yaml"));
        await Manifests.ApplyAsync(c2, Manifests.Seed("03-curl.yaml"));
        await Manifests.ApplyAsync(c2, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: httpbin\n");
        foreach (var member in members)
        {
            await Manifests.ApplyAsync(member, Manifests.Seed("02-serviceexport.yaml"));
        }

        // The ServiceImport appears in every member with both exporters' gateways as endpoints.
        foreach (var member in members)
        {
            var import = await Eventually.Until(() => Manifests.GetImportAsync(member, "httpbin", "httpbin"),
                i => Manifests.EndpointClusters(i).SequenceEqual([Cluster1, Cluster3]), "httpbin imported with cluster-1 and cluster-3 endpoints");
            var port = import!.Spec.Ports!.Single();
            Assert.Equal(8080, port.Port);
            Assert.All(port.Endpoints!, e =>
            {
                Assert.Equal("127.0.0.1", e.Target.Host);
                Assert.Equal("/httpbin", e.Target.Path);
            });
            Assert.Equal(fixture.Member("cluster-1").Gateway.Port, port.Endpoints!.Single(e => e.ClusterKey == Cluster1).Target.Port);
        }

        // cluster-2 has no httpbin Service of its own: the system writes one of that name, selectorless, owned by the
        // import, its endpoints the member's client-side proxy; the exporters' own Services are left as they are.
        var sameName = await Eventually.Until(async () => await ReadServiceAsync(c2, "httpbin", "httpbin"), s => s is not null, "same-name Service written in cluster-2");
        Assert.Null(sameName!.Spec.Selector);
        Assert.Equal("erie-canal-orleans", sameName.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Equal([("ServiceImport", "httpbin")], sameName.Metadata.OwnerReferences.Select(o => (o.Kind, o.Name)));
        Assert.Equal([8080], sameName.Spec.Ports.Select(p => p.Port));
        var own = await ReadServiceAsync(c1, "httpbin", "httpbin");
        Assert.NotNull(own!.Spec.Selector);
        Assert.False(own.Metadata.Labels?.ContainsKey("multicluster.flomesh.io/derived-for") ?? false);
        Assert.Null(own.Metadata.OwnerReferences);

        // cluster-2 exports too, but has no httpbin Service of the user's (the same-name one is never exported):
        // Valid=False, NoService, contributes nothing.
        var invalid = await Eventually.Until(() => Manifests.GetExportAsync(c2, "httpbin", "httpbin"),
            e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Valid)?.Reason == ConditionReasons.NoService, "cluster-2 export reports NoService");
        Assert.Equal("False", Manifests.ConditionOf(invalid!.Status!.Conditions, ConditionTypes.Valid)!.Status);
        var valid = await Eventually.Until(() => Manifests.GetExportAsync(c1, "httpbin", "httpbin"),
            e => Manifests.ConditionOf(e?.Status?.Conditions, ConditionTypes.Valid)?.Status == "True", "cluster-1 export is Valid");
        Assert.Equal("False", Manifests.ConditionOf(valid!.Status!.Conditions, ConditionTypes.Conflict)!.Status);

        // No policy in cluster-2: Locality, and cluster-2 has no local instance — the seed's "Not found".
        var writer2 = fixture.Silos.Client.GetGrain<IImportWriterGrain>("default/default/default/cluster-2");
        var local = await Eventually.Until(() => writer2.GetRouting("httpbin", "httpbin"), r => r is not null, "cluster-2 routing evaluated");
        Assert.Equal(LbTypes.Locality, local!.LbType);
        Assert.Equal(0, local.ActiveEndpoints);

        // The seed's ActiveActive policy in cluster-2 routes to both exporters.
        await Manifests.ApplyAsync(c2, Manifests.Seed("04-globaltrafficpolicy.yaml"));
        var activeActive = await Eventually.Until(() => writer2.GetRouting("httpbin", "httpbin"),
            r => r?.LbType == LbTypes.ActiveActive && r.ActiveEndpoints == 2, "cluster-2 routes ActiveActive to both clusters");
        Assert.Equal([Cluster1, Cluster3], activeActive!.Ports.Single().Endpoints.Where(e => e.State == EndpointStates.Active).Select(e => e.ClusterKey).Order(StringComparer.Ordinal));
        var written = await Eventually.Until(() => Manifests.GetImportAsync(c2, "httpbin", "httpbin"),
            i => i?.Status?.Routing?["lbType"]?.GetValue<string>() == LbTypes.ActiveActive, "routing written to cluster-2's ServiceImport status");
        Assert.Equal(2, written!.Status!.Routing!["activeEndpoints"]!.GetValue<int>());

        // Deleting cluster-1's export removes its endpoints everywhere.
        await Manifests.DeleteExportAsync(c1, "httpbin", "httpbin");
        foreach (var member in members)
        {
            await Eventually.Until(() => Manifests.GetImportAsync(member, "httpbin", "httpbin"),
                i => Manifests.EndpointClusters(i).SequenceEqual([Cluster3]), "only cluster-3 endpoints remain");
        }

        // Deleting the last valid export deletes the ServiceImport everywhere.
        await Manifests.DeleteExportAsync(c3, "httpbin", "httpbin");
        foreach (var member in members)
        {
            await Eventually.Until(async () => await Manifests.GetImportAsync(member, "httpbin", "httpbin") is null, "ServiceImport deleted");
        }

        // The same-name Service goes with its import; the exporters' own Services stay.
        await Eventually.Until(async () => await ReadServiceAsync(c2, "httpbin", "httpbin") is null, "same-name Service removed from cluster-2");
        Assert.NotNull(await ReadServiceAsync(c1, "httpbin", "httpbin"));
    }

    private static async Task<k8s.Models.V1Service?> ReadServiceAsync(IKubernetes client, string ns, string name)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedServiceAsync(name, ns);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

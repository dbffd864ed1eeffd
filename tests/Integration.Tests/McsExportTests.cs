using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;
using k8s;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The standard API (KEP-1645) end to end with real silos and members: a multicluster.x-k8s.io ServiceExport in one
/// member becomes a ServiceImport in every member (the exporter included), with a derived Service holding its
/// ClusterSetIP and EndpointSlices labelled with their source cluster, and the ClusterSetIP reaching the member's
/// client-side proxy; the export's conditions say so; deleting the export removes all of it. The flomesh.io path is not involved.
/// </summary>
[Collection(ReconcilerCollection.Name)]
public sealed class McsExportTests(ReconcilerFixture fixture)
{
    private static readonly string[] Members = ["cluster-1", "cluster-2", "cluster-3"];

    [Fact]
    public async Task An_MCS_export_is_imported_in_every_member_with_a_derived_service_and_slices_and_removed_with_it()
    {
        const string Ns = "mcs-e2e";
        using var exporter = fixture.Client("cluster-1");
        await Workloads.DeployAsync(exporter, Ns, "hello");
        await CreateExportAsync(exporter, Ns, "hello");
        var helloPods = (await exporter.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=hello")).Items.Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(helloPods);

        foreach (var name in Members)
        {
            using var member = fixture.Client(name);
            var import = await Eventually.Until(() => GetImportAsync(member, Ns, "hello"),
                i => i?["spec"]?["ips"]?.AsArray().Count > 0 && i["status"]?["clusters"]?.AsArray().Count == 1, $"MCS ServiceImport with a ClusterSetIP in {name}", TimeSpan.FromSeconds(90));
            Assert.Equal("ClusterSetIP", import!["spec"]!["type"]!.GetValue<string>());
            Assert.Equal("cluster-1", import["status"]!["clusters"]![0]!["cluster"]!.GetValue<string>());

            // The derived Service holds the ClusterSetIP the import names.
            var derived = await member.CoreV1.ReadNamespacedServiceAsync(McsNames.DerivedName(Ns, "hello"), Ns);
            Assert.Equal(import["spec"]!["ips"]![0]!.GetValue<string>(), derived.Spec.ClusterIP);

            // The exporter's endpoints, in slices labelled with the service and their source cluster.
            var slices = await Eventually.Until(() => member.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns,
                labelSelector: $"{McsNames.ServiceNameLabel}=hello,{McsNames.SourceClusterLabel}=cluster-1"),
                l => l.Items.Sum(s => s.Endpoints?.Count ?? 0) > 0, $"MCS EndpointSlices in {name}");
            Assert.All(slices.Items, s => Assert.Equal(McsNames.ManagedBy, s.Metadata.Labels[McsNames.ManagedByLabel]));

            // The derived Service's endpoints are the member's client-side proxy, each port on a listener of its own
            // (from the MCS half of the listener range, recorded in the slice): the endpoint the sandbox's kube-proxy
            // picks for a connection to the ClusterSetIP is that listener, which the proxy opens.
            var proxy = fixture.Environment.DataPlane[name].Proxy!.EndPoint;
            var proxySlice = (await Eventually.Until(() => member.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: $"{McsNames.KubernetesServiceNameLabel}={derived.Metadata.Name}"),
                l => l.Items.Any(s => s.Endpoints?.Any(e => e.Addresses.Contains(proxy.Address.ToString())) == true), $"the derived Service's endpoints at the proxy in {name}")).Items.Single();
            var listener = proxySlice.Ports.Single().Port!.Value;
            Assert.InRange(listener, ProxyListeners.DefaultFirstPort, ProxyListeners.DefaultFirstPort + ((ProxyListeners.DefaultLastPort - ProxyListeners.DefaultFirstPort) / 2));
            Assert.Equal([(listener, derived.Spec.Ports.Single().Port)], ProxyListeners.Parse(proxySlice.Metadata.Annotations[ProxyListeners.ListenersAnnotation]));
            Assert.Equal(ProxyListeners.McsKind, proxySlice.Metadata.Labels[ProxyListeners.ImportKindLabel]);
            var sandbox = fixture.Environment.Sandbox[name];
            var picked = sandbox.Names.PickEndpoint(sandbox.Store.Get("services", Ns, derived.Metadata.Name)!, derived.Spec.Ports.Single().Port);
            Assert.Equal(new System.Net.IPEndPoint(proxy.Address, listener), picked);

            // A connection there crosses to cluster-1: the listener tunnels to cluster-1's gateway (the slices'
            // source-gateway annotation), which splices it to a ready hello pod; the pod answers with its name.
            Assert.All(slices.Items, s => Assert.Equal($"127.0.0.1:{fixture.Member("cluster-1").Gateway.Port}", s.Metadata.Annotations[McsNames.SourceGatewayAnnotation]));
            var answer = await Eventually.Until(() => RawHttp.TryGetAsync(picked!, "/"), r => r.Status == 200, $"a hello pod of cluster-1 answers through {name}'s proxy listener");
            Assert.Contains(answer.Body.Trim(), helloPods);
        }

        var conditions = await Eventually.Until(() => GetConditionsAsync(exporter, Ns, "hello"),
            c => c.GetValueOrDefault(McsNames.Conditions.Ready) == "True", "the export Ready");
        Assert.Equal("True", conditions[McsNames.Conditions.Valid]);
        Assert.Equal("False", conditions[McsNames.Conditions.Conflict]);

        // The service is in the directory's index under its MCS key (the MCS writers' repair reads it).
        var indexed = await fixture.Silos.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetServices();
        Assert.True(indexed.GetValueOrDefault(ServiceKeys.McsIndex($"{Ns}/hello")) > 0);

        await exporter.CustomObjects.DeleteNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, Ns, McsNames.ServiceExports, "hello");
        foreach (var name in Members)
        {
            using var member = fixture.Client(name);
            await Eventually.Until(async () => await GetImportAsync(member, Ns, "hello") is null, $"the MCS ServiceImport gone from {name}", TimeSpan.FromSeconds(60));
            await Eventually.Until(async () => (await member.CoreV1.ListNamespacedServiceAsync(Ns, fieldSelector: $"metadata.name={McsNames.DerivedName(Ns, "hello")}")).Items.Count == 0,
                $"the derived Service gone from {name}");
            await Eventually.Until(async () => (await member.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: $"{McsNames.ManagedByLabel}={McsNames.ManagedBy}")).Items.Count == 0,
                $"the MCS slices gone from {name}");
        }
    }

    private static Task CreateExportAsync(IKubernetes member, string ns, string name) =>
        member.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = McsNames.ApiVersion,
            ["kind"] = McsNames.ServiceExportKind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        }, McsNames.Group, McsNames.Version, ns, McsNames.ServiceExports);

    private static async Task<JsonNode?> GetImportAsync(IKubernetes member, string ns, string name)
    {
        try
        {
            var raw = (JsonElement)await member.CustomObjects.GetNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, ns, McsNames.ServiceImports, name);
            return JsonNode.Parse(raw.GetRawText());
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<Dictionary<string, string>> GetConditionsAsync(IKubernetes member, string ns, string name)
    {
        var raw = (JsonElement)await member.CustomObjects.GetNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, ns, McsNames.ServiceExports, name);
        var conditions = JsonNode.Parse(raw.GetRawText())?["status"]?["conditions"]?.AsArray() ?? [];
        return conditions.ToDictionary(c => c!["type"]!.GetValue<string>(), c => c!["status"]!.GetValue<string>(), StringComparer.Ordinal);
    }
}

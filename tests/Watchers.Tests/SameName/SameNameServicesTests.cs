using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.SameName;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Xunit;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.SameName;

/// <summary>
/// A same-name Service written create-first (a name not written before: no reads on the way) against a sandbox
/// member: nothing there → ours with its proxy slice; a user's Service there → the user's wins, untouched; ours from
/// before a restart → read and kept, no error.
/// </summary>
public sealed class SameNameServicesTests : SandboxContext
{
    private const string Ns = "shop";
    private static readonly ImmutableArray<McsPort> Ports = [new McsPort("http", "TCP", 8080, null)];
    private static readonly McsProxyEndpoints Proxy = new("proxy", ["127.0.0.5"], 8080);

    [Fact]
    public async Task Nothing_there_is_written_with_its_slice_and_a_second_pass_after_a_restart_keeps_it()
    {
        using var client = Client();
        var uid = await ImportAsync(client, "web");
        Assert.Equal(SameNameServices.Outcome.Written, await SameNameServices.ReconcileAsync(client, Ns, "web", Ports, Proxy, null, uid, createFirst: true, CancellationToken.None));
        var service = await client.CoreV1.ReadNamespacedServiceAsync("web", Ns);
        Assert.True(SameNameServices.IsOurs(service, "web"));
        Assert.Equal(uid, Assert.Single(service.Metadata.OwnerReferences).Uid);
        var slices = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: $"{McsNames.KubernetesServiceNameLabel}=web");
        Assert.Equal("127.0.0.5", Assert.Single(Assert.Single(slices.Items).Endpoints).Addresses.Single());

        // A new writer (a restart) does not know it wrote them: create-first meets a conflict, reads, and keeps both.
        Assert.Equal(SameNameServices.Outcome.Written, await SameNameServices.ReconcileAsync(client, Ns, "web", Ports, Proxy, null, uid, createFirst: true, CancellationToken.None));
        Assert.Equal(service.Metadata.ResourceVersion, (await client.CoreV1.ReadNamespacedServiceAsync("web", Ns)).Metadata.ResourceVersion);
        Assert.Single((await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: $"{McsNames.KubernetesServiceNameLabel}=web")).Items);
    }

    [Fact]
    public async Task A_users_Service_there_wins_and_is_not_touched()
    {
        using var client = Client();
        var uid = await ImportAsync(client, "mine");
        var users = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "mine", NamespaceProperty = Ns },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "mine" }, Ports = [new V1ServicePort { Name = "http", Port = 8080 }] },
        }, Ns);

        Assert.Equal(SameNameServices.Outcome.Taken, await SameNameServices.ReconcileAsync(client, Ns, "mine", Ports, Proxy, null, uid, createFirst: true, CancellationToken.None));
        var after = await client.CoreV1.ReadNamespacedServiceAsync("mine", Ns);
        Assert.Equal(users.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.Empty((await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: $"{McsNames.KubernetesServiceNameLabel}=mine,{McsNames.ManagedByLabel}={McsNames.ManagedBy}")).Items);
    }

    // A flomesh.io ServiceImport of ours (the Service's owner must exist, as the garbage collector would have it); its uid.
    private async Task<string> ImportAsync(Kubernetes client, string name)
    {
        var crd = CrdManifests.Get($"{ServiceImportResource.Plural}.{ServiceImportResource.Group}");
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }

        var created = await Eventually.Until(async () =>
        {
            try
            {
                return await client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
                {
                    ["apiVersion"] = ServiceImportResource.GroupVersion,
                    ["kind"] = "ServiceImport",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns, ["labels"] = new JsonObject { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue } },
                    ["spec"] = new JsonObject { ["type"] = "ClusterSetIP", ["ports"] = new JsonArray(new JsonObject { ["port"] = 8080, ["protocol"] = "TCP" }) },
                }, ServiceImportResource.Group, ServiceImportResource.Version, Ns, ServiceImportResource.Plural);
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The CRD is not Established yet.
                return null;
            }
        }, o => o is not null, "the ServiceImport created");
        return ((JsonElement)created!).GetProperty("metadata").GetProperty("uid").GetString()!;
    }
}

using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Api.CustomObjectJson;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// The garbage collector follows owner references to a custom resource as to any object: a derived Service and its
/// EndpointSlice owned by an MCS ServiceImport go when the import goes.
/// </summary>
public sealed class CustomResourceOwnerGcTests(UpstreamCrdFixture fixture) : IClassFixture<UpstreamCrdFixture>
{
    private const string Ns = UpstreamCrdFixture.Namespace;

    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Dependents_of_a_ServiceImport_are_deleted_with_it()
    {
        var import = ToNode(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"multicluster.x-k8s.io/v1beta1","kind":"ServiceImport","metadata":{"name":"owner"},
             "spec":{"type":"ClusterSetIP","ports":[{"name":"tcp","port":42,"protocol":"TCP"}]}}
            """), "multicluster.x-k8s.io", "v1beta1", Ns, "serviceimports"));
        var owner = new V1OwnerReference
        {
            ApiVersion = "multicluster.x-k8s.io/v1beta1",
            Kind = "ServiceImport",
            Name = "owner",
            Uid = (string)import["metadata"]!["uid"]!,
            Controller = true,
        };
        await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "derived-owner", OwnerReferences = [owner] },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "tcp", Port = 42, Protocol = "TCP" }] },
        }, Ns);
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = "derived-owner-cluster-1",
                OwnerReferences = [owner],
                Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "derived-owner" },
            },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["127.0.0.1"] }],
        }, Ns);

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync("multicluster.x-k8s.io", "v1beta1", Ns, "serviceimports", "owner");

        await Eventually.Until(() => GoneAsync(() => _client.CoreV1.ReadNamespacedServiceAsync("derived-owner", Ns)), "the derived Service collected");
        await Eventually.Until(() => GoneAsync(() => _client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("derived-owner-cluster-1", Ns)), "the slice collected");
    }

    private static async Task<bool> GoneAsync<T>(Func<Task<T>> read)
    {
        try
        {
            await read();
            return false;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
    }
}

using System.Text.Json.Nodes;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>
/// A multicluster.x-k8s.io import's port on c1's proxy listener: routed by our MCS EndpointSlices (the exporting
/// cluster with ready endpoints, at the gateway their source-gateway annotation names) through a tunnel to c2's
/// gateway, which reaches the pod of the Service c2 exports by an MCS ServiceExport. Real sockets end to end.
/// </summary>
public sealed class McsTunnelTests : TunnelContext
{
    [Fact]
    public async Task An_MCS_import_port_crosses_to_the_exporting_cluster_and_leaves_when_its_endpoints_are_not_ready()
    {
        var pod = Own(TcpPod.Echo("hello-c2"));
        await ServeAsync("hello", 42, "tcp", pod.EndPoint, export: false);
        await McsExportAsync("hello");
        await McsImportAsync("hello", 42, "tcp");
        await McsSliceAsync("hello", "c2", "tcp", ready: true);
        var listener = LocalPorts.Reserve();
        var slice = ProxySlice("hello", listener, 42, "tcp");
        slice.Metadata.Labels[ProxyListeners.ImportKindLabel] = ProxyListeners.McsKind;
        await ConsumerClient.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Namespace);

        var (socket, greeting) = await ConnectAsync(listener);
        socket.Dispose();
        Assert.Equal("hello from hello-c2", greeting);

        // The exporter's endpoints written not ready (its cluster judged unhealthy): no route, the connection is closed.
        await McsSliceAsync("hello", "c2", "tcp", ready: false);
        await Eventually.Until(async () =>
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await probe.ConnectAsync(System.Net.IPAddress.Loopback, listener);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await ReadLineAsync(probe, timeout.Token);
        }, line => line is null, "the listener closes connections once no cluster has a ready endpoint");
    }

    private Task McsExportAsync(string name) =>
        ExporterClient.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = McsNames.ApiVersion,
                ["kind"] = McsNames.ServiceExportKind,
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
            },
            McsNames.Group, McsNames.Version, Namespace, McsNames.ServiceExports);

    private Task McsImportAsync(string name, int port, string portName) =>
        ConsumerClient.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = McsNames.ApiVersion,
                ["kind"] = McsNames.ServiceImportKind,
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
                ["spec"] = new JsonObject
                {
                    ["type"] = McsNames.ImportTypes.ClusterSetIp,
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = portName, ["port"] = port, ["protocol"] = "TCP" }),
                },
            },
            McsNames.Group, McsNames.Version, Namespace, McsNames.ServiceImports);

    // The MCS slice the system writes in c1 for the exporter's endpoints (remote pod addresses, never reached directly).
    private async Task McsSliceAsync(string name, string source, string portName, bool ready)
    {
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{name}-{source}",
                NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string>
                {
                    [McsNames.ServiceNameLabel] = name,
                    [McsNames.SourceClusterLabel] = source,
                    [McsNames.ManagedByLabel] = McsNames.ManagedBy,
                },
                Annotations = new Dictionary<string, string> { [McsNames.SourceGatewayAnnotation] = $"127.0.0.1:{GatewayAddress.Port}" },
            },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = portName, Port = 42, Protocol = "TCP" }],
            Endpoints = [new V1Endpoint { Addresses = ["10.244.1.7"], Conditions = new V1EndpointConditions { Ready = ready } }],
        };
        try
        {
            var current = await ConsumerClient.DiscoveryV1.ReadNamespacedEndpointSliceAsync(slice.Metadata.Name, Namespace);
            slice.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await ConsumerClient.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, Namespace);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            await ConsumerClient.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Namespace);
        }
    }
}

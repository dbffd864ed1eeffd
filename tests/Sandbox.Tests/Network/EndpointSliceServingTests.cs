using System.Net;
using System.Net.Sockets;
using System.Text;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Network;

/// <summary>
/// EndpointSlices as a real cluster writes and reads them: a pod whose spec.subdomain names the Service carries its
/// spec.hostname in its endpoint, and the cluster DNS and kube-proxy serve a Service from whatever slices are
/// labelled with its name, so a selectorless Service served by another controller's slices works.
/// </summary>
public sealed class EndpointSliceServingTests : IAsyncLifetime
{
    private readonly NetworkFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Only_a_pod_under_the_service_its_subdomain_names_carries_its_hostname()
    {
        var client = _fixture.Client();
        const string Ns = "hosts";
        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace(Ns));
        foreach (var (name, subdomain) in new[] { ("named", "web"), ("other", "elsewhere") })
        {
            var deployment = Objects.Deployment(name, Ns, 1, name);
            deployment.Spec.Template.Metadata.Labels["tier"] = "web";
            deployment.Spec.Template.Spec.Hostname = name + "-0";
            deployment.Spec.Template.Spec.Subdomain = subdomain;
            await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns);
        }

        var service = Objects.Service("web", Ns, "unused");
        service.Spec.Selector = new Dictionary<string, string> { ["tier"] = "web" };
        await client.CoreV1.CreateNamespacedServiceAsync(service, Ns);

        var slices = await Eventually.Until(
            () => client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: "kubernetes.io/service-name=web"),
            l => l.Items.Sum(s => s.Endpoints?.Count(e => e.Conditions?.Ready == true) ?? 0) == 2,
            "both pods ready in the slice");
        var hostnames = Assert.Single(slices.Items).Endpoints.ToDictionary(e => e.TargetRef.Name.Split('-')[0], e => e.Hostname);
        Assert.Equal("named-0", hostnames["named"]);
        Assert.Null(hostnames["other"]);

        var endpoints = await client.CoreV1.ReadNamespacedEndpointsAsync("web", Ns);
        Assert.Equal(["named-0"], endpoints.Subsets.Single().Addresses.Select(a => a.Hostname).OfType<string>());
    }

    [Fact]
    public async Task A_selectorless_service_is_served_from_another_managers_slices()
    {
        var client = _fixture.Client();
        const string Ns = "derived";
        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace(Ns));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = ServeAsync(listener, "from-slice", stop.Token);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var derived = await client.CoreV1.CreateNamespacedServiceAsync(Selectorless("hello", clusterIp: null), Ns);
        await client.CoreV1.CreateNamespacedServiceAsync(Selectorless("hello-headless", clusterIp: "None"), Ns);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice("hello", port, ready: true), Ns);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice("hello-headless", port, ready: true), Ns);

        // kube-proxy: the cluster IP's port 42 goes to the slice's endpoint and port.
        var greeting = await Eventually.Until(() => ReadGreetingAsync(new IPEndPoint(IPAddress.Parse(derived.Spec.ClusterIP), 42)), g => g == "from-slice", "the cluster IP reaching the slice's endpoint");
        Assert.Equal("from-slice", greeting);

        // CoreDNS: a headless Service's name and its endpoints' hostnames come from the slices.
        Assert.Equal(["127.0.0.1"], (await Dig.AskAsync(_fixture.Cluster, $"hello-headless.{Ns}.svc.cluster.local")).Addresses);
        Assert.Equal(["127.0.0.1"], (await Dig.AskAsync(_fixture.Cluster, $"member-0.hello-headless.{Ns}.svc.cluster.local")).Addresses);

        // An endpoint its manager marks not ready leaves the answers.
        await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(Slice("hello-headless", port, ready: false), "hello-headless-slice", Ns);
        var gone = await Dig.AskAsync(_fixture.Cluster, $"hello-headless.{Ns}.svc.cluster.local");
        Assert.Equal(("NOERROR", 0), (gone.Status, gone.Addresses.Count));
        Assert.Equal("NXDOMAIN", (await Dig.AskAsync(_fixture.Cluster, $"member-0.hello-headless.{Ns}.svc.cluster.local")).Status);

        await stop.CancelAsync();
        listener.Stop();
        await serving;
    }

    [Fact]
    public async Task Hand_written_endpoints_of_a_selectorless_service_are_mirrored_into_a_slice()
    {
        var client = _fixture.Client();
        const string Ns = "mirrored";
        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace(Ns));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = ServeAsync(listener, "from-endpoints", stop.Token);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var service = await client.CoreV1.CreateNamespacedServiceAsync(Selectorless("legacy", clusterIp: null), Ns);
        await client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "legacy" },
            Subsets = [new V1EndpointSubset
            {
                Addresses = [new V1EndpointAddress { Ip = "127.0.0.1" }],
                Ports = [new Corev1EndpointPort { Name = "tcp", Port = port, Protocol = "TCP" }],
            }],
        }, Ns);

        var slices = await Eventually.Until(
            () => client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: "kubernetes.io/service-name=legacy"),
            l => l.Items.Count == 1,
            "the mirrored slice");
        var slice = slices.Items.Single();
        Assert.Equal("endpointslicemirroring-controller.k8s.io", slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("Endpoints", slice.Metadata.OwnerReferences.Single().Kind);
        Assert.Equal(["127.0.0.1"], slice.Endpoints.Single().Addresses);
        Assert.Equal(port, slice.Ports.Single().Port);
        await Eventually.Until(() => ReadGreetingAsync(new IPEndPoint(IPAddress.Parse(service.Spec.ClusterIP), 42)), g => g == "from-endpoints", "the cluster IP reaching the mirrored endpoint");

        await client.CoreV1.DeleteNamespacedEndpointsAsync("legacy", Ns);
        await Eventually.Until(
            () => client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Ns, labelSelector: "kubernetes.io/service-name=legacy"),
            l => l.Items.Count == 0,
            "the mirrored slice gone with its Endpoints");

        await stop.CancelAsync();
        listener.Stop();
        await serving;
    }

    private static V1Service Selectorless(string name, string? clusterIp) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, Ports = [new V1ServicePort { Name = "tcp", Port = 42, Protocol = "TCP" }] },
    };

    private static V1EndpointSlice Slice(string service, int port, bool ready) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = service + "-slice",
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/service-name"] = service,
                ["endpointslice.kubernetes.io/managed-by"] = "mcs-controller.example.io",
            },
        },
        AddressType = "IPv4",
        Endpoints = [new V1Endpoint { Addresses = ["127.0.0.1"], Hostname = "member-0", Conditions = new V1EndpointConditions { Ready = ready } }],
        Ports = [new Discoveryv1EndpointPort { Name = "tcp", Port = port, Protocol = "TCP" }],
    };

    private static async Task<string> ReadGreetingAsync(IPEndPoint endPoint)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(endPoint, timeout.Token);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            return (await reader.ReadLineAsync(timeout.Token)) ?? "";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    private static async Task ServeAsync(TcpListener listener, string greeting, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var connection = await listener.AcceptTcpClientAsync(cancellationToken);
                await connection.GetStream().WriteAsync(Encoding.ASCII.GetBytes(greeting + "\n"), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private sealed class NetworkFixture : SandboxFixture
    {
        protected override SandboxClusterOptions Options => base.Options with { ServeClusterNetwork = true };
    }
}

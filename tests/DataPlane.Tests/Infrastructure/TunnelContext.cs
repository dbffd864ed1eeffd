using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>
/// Two sandbox members without a control plane: c2 runs plain TCP pods (and an HTTP one) behind Services it exports
/// (flomesh.io ServiceExports), its gateway reached through the member's gateway address (the sandbox front, which
/// hands connections over); c1 consumes them through its client-side proxy by flomesh.io ServiceImports whose
/// status.routing names c2's gateway, and by proxy EndpointSlices written by hand as the Service writers will
/// (<see cref="ProxyListeners"/>), on listener ports reserved for the test.
/// </summary>
public abstract class TunnelContext : IAsyncLifetime
{
    public const string Consumer = "c1";
    public const string Exporter = "c2";
    public const string Namespace = "tn";

    private readonly List<IAsyncDisposable> _owned = [];

    public SandboxHost Sandbox { get; private set; } = null!;

    public DataPlaneServer Gateway { get; private set; } = null!;

    public DataPlaneServer Proxy { get; private set; } = null!;

    public Kubernetes ConsumerClient { get; private set; } = null!;

    public Kubernetes ExporterClient { get; private set; } = null!;

    /// <summary>c2's gateway address, as c1's routing names it.</summary>
    public IPEndPoint GatewayAddress => new(IPAddress.Loopback, Sandbox[Exporter].Gateway.Port);

    public static string ClusterKeyOf(string member) => $"default/default/default/{member}";

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxHost.StartAsync([Consumer, Exporter], new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) });
        ConsumerClient = Client(Consumer);
        ExporterClient = Client(Exporter);
        foreach (var client in new[] { ConsumerClient, ExporterClient })
        {
            await Objects.ApplyCrdsAsync(client);
            await Objects.NamespaceAsync(client, Namespace);
        }

        Gateway = await MemberGateway.StartAsync(new GatewayOptions { MemberName = Exporter, ClusterKey = ClusterKeyOf(Exporter) }, Sandbox[Exporter].Kubeconfig());
        _owned.Add(Gateway);
        await Sandbox[Exporter].Gateway.StartAsync();
        Sandbox[Exporter].Gateway.Acceptor = Gateway.TryAdopt;

        Proxy = await ClientProxy.StartAsync(
            new ProxyOptions { ClusterKey = ClusterKeyOf(Consumer), MemberName = Consumer, ListenerFirstPort = 1024, ListenerLastPort = 65535 },
            Sandbox[Consumer].Kubeconfig());
        _owned.Add(Proxy);
        await Gateway.WaitUntilReadyAsync();
        await Proxy.WaitUntilReadyAsync();
    }

    public Kubernetes Client(string member)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Sandbox[member].Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>In c2: a selector-less Service <paramref name="name"/> with one port, the pod's EndpointSlice, and (when asked) a flomesh.io ServiceExport.</summary>
    public async Task ServeAsync(string name, int port, string portName, IPEndPoint pod, bool export = true)
    {
        await Objects.ServiceAsync(ExporterClient, Namespace, name, port, portName, pod.Port);
        await Objects.SliceAsync(ExporterClient, Namespace, name, $"{name}-pod", pod.Address.ToString(), pod.Port, ready: true, portName);
        if (export)
        {
            await ExportAsync(name);
        }
    }

    public async Task ExportAsync(string name) =>
        await ExporterClient.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = ServiceExportResource.GroupVersion,
                ["kind"] = "ServiceExport",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
                ["spec"] = new JsonObject(),
            },
            ServiceExportResource.Group, ServiceExportResource.Version, Namespace, ServiceExportResource.Plural);

    /// <summary>
    /// In c1: a flomesh.io import of <paramref name="name"/>:<paramref name="port"/> routed to <paramref name="endpoints"/>
    /// (c2's gateway by default), and its proxy EndpointSlice putting the port on a listener of its own; the listener port.
    /// </summary>
    public async Task<int> ImportAsync(string name, int port, string portName, params Objects.RoutedEndpoint[] endpoints)
    {
        await Objects.ImportAsync(ConsumerClient, Namespace, name, port,
            endpoints.Length > 0 ? endpoints : [new Objects.RoutedEndpoint(ClusterKeyOf(Exporter), "127.0.0.1", GatewayAddress.Port, $"/{Namespace}/{name}", 100, "Active")]);
        var listener = LocalPorts.Reserve();
        await ConsumerClient.DiscoveryV1.CreateNamespacedEndpointSliceAsync(ProxySlice(name, listener, port, portName), Namespace);
        return listener;
    }

    public static V1EndpointSlice ProxySlice(string name, int listener, int port, string portName) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"{name}-proxy",
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string>
            {
                [McsNames.KubernetesServiceNameLabel] = name,
                [McsNames.ManagedByLabel] = McsNames.ManagedBy,
                [ProxyListeners.ImportKindLabel] = ProxyListeners.FlomeshKind,
                [ProxyListeners.ImportNameLabel] = name,
            },
            Annotations = new Dictionary<string, string> { [ProxyListeners.ListenersAnnotation] = ProxyListeners.Format([(listener, port)]) },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = portName, Port = listener, Protocol = "TCP" }],
        Endpoints = [new V1Endpoint { Addresses = ["127.0.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
    };

    /// <summary>A connection to the proxy's listener <paramref name="port"/> once it carries a pod's greeting (first line).</summary>
    public static async Task<(Socket Socket, string Greeting)> ConnectAsync(int port) =>
        await Eventually.Until(async () =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(5));
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var greeting = await ReadLineAsync(socket, timeout.Token);
                if (greeting is not null)
                {
                    return (socket, greeting);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or TimeoutException)
            {
            }

            socket.Dispose();
            return ((Socket?)null, "");
        }, r => r.Item1 is not null, $"a greeting through listener {port}") is var (s, g) ? (s!, g) : default;

    /// <summary>One line (without its newline) byte by byte, so nothing after it is taken; null at the end of input.</summary>
    public static async Task<string?> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            if (one[0] == '\n')
            {
                return line.ToString();
            }

            line.Append((char)one[0]);
        }
    }

    /// <summary>Everything until the end of input.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    /// <summary>A tunnel request sent straight to c2's gateway: its status and body (the refusal's message).</summary>
    public async Task<(int Status, string Body)> RawTunnelAsync(string service, string? hop = null)
    {
        await using var http = await RawHttp.ConnectAsync(GatewayAddress);
        var request = $"GET / HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade\r\nUpgrade: {DataPlaneHeaders.TunnelProtocol}\r\n{DataPlaneHeaders.Tunnel}: {service}\r\n"
            + (hop is null ? "" : $"{DataPlaneHeaders.Hop}: {hop}\r\n") + "\r\n";
        await http.SendRawAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await http.ReadResponseAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        ConsumerClient?.Dispose();
        ExporterClient?.Dispose();
        await Sandbox.DisposeAsync();
    }
}

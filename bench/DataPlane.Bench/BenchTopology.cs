using System.Diagnostics;
using System.Net;
using System.Text;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.Proxy;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using k8s;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>
/// The seed's picture reduced to its data plane: httpbin (the seed's Deployment and Service) and the Ingress the
/// reconciler writes for its export in cluster-1, whose gateway runs behind the sandbox's gateway address; in
/// cluster-2 a ServiceImport whose routing sends httpbin.httpbin:8080 to that address, and cluster-2's client-side
/// proxy. No silo and no control plane: nothing but the data plane is on the request path or busy beside it.
/// </summary>
public sealed class BenchTopology : IAsyncDisposable
{
    public const string Exporter = "cluster-1";
    public const string Consumer = "cluster-2";
    public const string Namespace = "httpbin";
    public const string Service = "httpbin";
    public const int Port = 8080;
    public const string ExportPath = "/httpbin";

    /// <summary>Hop namespaces in cluster-2: the same pods as a local Service, and an import of the gateway's own port.</summary>
    private const string LocalNamespace = "local";
    private const string NoRelayNamespace = "norelay";

    private readonly SandboxHost _sandbox;
    private readonly List<IDisposable> _clients = [];
    private DataPlaneServer? _gateway;
    private DataPlaneServer? _proxy;

    /// <summary>With hops: a second sandbox gateway address relaying straight to one pod, to price the relay alone.</summary>
    private SandboxGateway? _podRelay;

    private BenchTopology(SandboxHost sandbox)
    {
        _sandbox = sandbox;
    }

    /// <summary>The seed's httpbin pods in cluster-1, by name and pod IP.</summary>
    public IReadOnlyList<(string Name, string Ip)> Pods { get; private set; } = [];

    public DataPlaneServer Gateway => _gateway!;

    public DataPlaneServer Proxy => _proxy!;

    /// <summary>cluster-1's gateway address as other members reach it: the sandbox's listener, handing connections to <see cref="Gateway"/> (or relaying them).</summary>
    public IPEndPoint GatewayAddress => _sandbox[Exporter].Gateway.EndPoint!;

    public static async Task<BenchTopology> StartAsync(bool hops, bool relay, TimeSpan setupTimeout, Action<string> progress, CancellationToken cancellationToken)
    {
        var sandbox = await SandboxHost.StartAsync([Exporter, Consumer], cancellationToken: cancellationToken);
        var topology = new BenchTopology(sandbox);
        try
        {
            await topology.SetUpAsync(hops, relay, setupTimeout, progress, cancellationToken);
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync(bool hops, bool relay, TimeSpan setupTimeout, Action<string> progress, CancellationToken cancellationToken)
    {
        var exporter = Client(Exporter);
        var consumer = Client(Consumer);
        await MemberObjects.ApplyCrdsAsync(exporter, cancellationToken);
        await MemberObjects.ApplyCrdsAsync(consumer, cancellationToken);

        progress($"{Exporter}: the seed's httpbin, its export's Ingress, the gateway behind the member's gateway address");
        await MemberObjects.ApplySeedHttpbinAsync(exporter, cancellationToken);
        await MemberObjects.ExportIngressAsync(exporter, Namespace, Service, ExportPath, Port, GatewayOptions.DefaultIngressClass, cancellationToken);
        var address = _sandbox[Exporter].Gateway;
        await address.StartAsync(0, cancellationToken);
        _gateway = await MemberGateway.StartAsync(new GatewayOptions { MemberName = Exporter }, _sandbox[Exporter].Kubeconfig(), cancellationToken: cancellationToken);
        address.Upstream = _gateway.EndPoint;

        // The gateway takes the address's connections itself, as a member's gateway behind its load balancer
        // would; with --relay they cross the sandbox's TCP relay to the gateway's own port instead.
        address.Acceptor = relay ? null : _gateway.TryAdopt;

        progress($"{Consumer}: the ServiceImport's ActiveActive routing to {Exporter}'s gateway address, the client-side proxy");
        var exporterKey = Key(Exporter);
        await MemberObjects.NamespaceAsync(consumer, Namespace, cancellationToken);
        await MemberObjects.ImportAsync(consumer, Namespace, Service, Port, exporterKey, GatewayAddress, ExportPath, cancellationToken);
        _proxy = await ClientProxy.StartAsync(new ProxyOptions { MemberName = Consumer, ClusterKey = Key(Consumer) }, _sandbox[Consumer].Kubeconfig(), cancellationToken: cancellationToken);

        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setup.CancelAfter(setupTimeout);
        await _gateway.WaitUntilReadyAsync(setup.Token);
        await _proxy.WaitUntilReadyAsync(setup.Token);
        Pods = await ReadyPodsAsync(exporter, setup.Token);
        progress($"{Exporter}: pods {string.Join(", ", Pods.Select(p => $"{p.Name} at {p.Ip}:{Port}"))}");

        if (hops)
        {
            await MemberObjects.NamespaceAsync(consumer, LocalNamespace, cancellationToken);
            await MemberObjects.LocalServiceAsync(consumer, LocalNamespace, Service, Port, Pods, cancellationToken);

            // The proxy forwards only what an import names: the local Service is named by an import whose own-cluster
            // entry sends it straight to the member's pods.
            await MemberObjects.ImportAsync(consumer, LocalNamespace, Service, Port, Key(Consumer), _gateway.EndPoint, ExportPath, cancellationToken);
            await MemberObjects.NamespaceAsync(consumer, NoRelayNamespace, cancellationToken);
            await MemberObjects.ImportAsync(consumer, NoRelayNamespace, Service, Port, exporterKey, _gateway.EndPoint, ExportPath, cancellationToken);
            _podRelay = new SandboxGateway("pod-relay");
            await _podRelay.StartAsync(0, cancellationToken);
            _podRelay.Upstream = new IPEndPoint(IPAddress.Parse(Pods[0].Ip), Port);
        }
    }

    /// <summary>The TCP measurement's pod, Service, export, import and proxy listener (<see cref="TcpBench"/>).</summary>
    public Task<TcpBench> StartTcpAsync(CancellationToken cancellationToken) =>
        TcpBench.StartAsync(this, Client(Exporter), Client(Consumer), _sandbox[Exporter].PodIps.Allocate(), Key(Exporter), cancellationToken);

    /// <summary>The floor and the system's path, then (with hops) the parts of it, each with a client of its own.</summary>
    public IReadOnlyList<RequestPath> Paths(bool hops, TimeSpan timeout)
    {
        var names = Pods.Select(p => p.Name).ToList();
        var host = $"{Service}.{Namespace}:{Port}";
        var gatewayPath = ExportPath + "/";
        List<RequestPath> paths =
        [
            RequestPath.Direct("floor: client → pod", PathRole.Floor, [.. Pods.Select(p => new Uri($"http://{p.Ip}:{Port}/"))], null, names, timeout),
            RequestPath.ViaProxy("system: client → proxy → gateway address → gateway → pod", PathRole.System, Proxy.Address, new Uri($"http://{host}/"), names, timeout),
            RequestPath.Direct("transparent: client → proxy (Host) → gateway address → gateway → pod", PathRole.Transparent, [Proxy.Address], host, names, timeout),
        ];
        if (hops)
        {
            paths.Add(RequestPath.Direct("hop: client → relay → pod", PathRole.Hop, [new Uri($"http://{_podRelay!.EndPoint}/")], null, names, timeout));
            paths.Add(RequestPath.Direct("hop: client → gateway → pod", PathRole.Hop, [new Uri(Gateway.Address, gatewayPath)], host, names, timeout));
            paths.Add(RequestPath.Direct("hop: client → gateway address → gateway → pod", PathRole.Hop, [new Uri($"http://{GatewayAddress}{gatewayPath}")], host, names, timeout));
            paths.Add(RequestPath.ViaProxy("hop: client → proxy → pod (local Service)", PathRole.Hop, Proxy.Address, new Uri($"http://{Service}.{LocalNamespace}:{Port}/"), names, timeout));
            paths.Add(RequestPath.ViaProxy("hop: client → proxy → gateway's own port → pod", PathRole.Hop, Proxy.Address, new Uri($"http://{Service}.{NoRelayNamespace}:{Port}/"), names, timeout));
        }

        return paths;
    }

    /// <summary>Sends requests on every path until each is answered by a pod: the routes have reached the proxy's and the gateway's tables.</summary>
    public static async Task WaitUntilRoutedAsync(IReadOnlyList<RequestPath> paths, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var path in paths)
        {
            string? last;
            while ((last = await TryAsync(path, cancellationToken)) is not null)
            {
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    throw new TimeoutException($"'{path.Name}' still not answered by a pod after {timeout.TotalSeconds:F0} s: {last}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    private static async Task<string?> TryAsync(RequestPath path, CancellationToken cancellationToken)
    {
        try
        {
            return await path.SendAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ex.Message;
        }
    }

    private static async Task<IReadOnlyList<(string Name, string Ip)>> ReadyPodsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var replicas = (await client.AppsV1.ReadNamespacedDeploymentAsync(Service, Namespace, cancellationToken: cancellationToken)).Spec.Replicas ?? 1;
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "app=pipy", cancellationToken: cancellationToken);
            var ready = pods.Items
                .Where(p => !string.IsNullOrEmpty(p.Status?.PodIP) && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                .Select(p => (p.Metadata.Name, p.Status!.PodIP))
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .ToList();
            if (ready.Count == replicas && pods.Items.Count == replicas)
            {
                return ready;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static string Key(string member) => ClusterKeys.Format(ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, ClusterKeys.DefaultPart, member);

    private Kubernetes Client(string member)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(_sandbox[member].Kubeconfig()));
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_podRelay is not null)
        {
            await _podRelay.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _sandbox.DisposeAsync();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>
/// TCP through the tunnel against TCP straight to a pod, in the same run: a "pod" (a socket server on a pod address
/// of the exporting member) behind the exported Service <c>bulk</c>, reached from the consuming member through the
/// proxy's listener for its port, an HTTP/1.1 Upgrade tunnel and the exporter's gateway. Bulk transfer (MB/s the pod
/// received, 4 connections) and connection setup (connect, one byte each way, close; 16 clients).
/// </summary>
public sealed class TcpBench : IAsyncDisposable
{
    private const string Name = "bulk";
    private const int ServicePort = 9000;
    private readonly Socket _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _received;

    private TcpBench(Socket server)
    {
        _server = server;
        _accepting = Task.Run(AcceptAsync);
    }

    public IPEndPoint Pod => (IPEndPoint)_server.LocalEndPoint!;

    public IPEndPoint Listener { get; private set; } = null!;

    /// <summary>Starts the pod and writes the exporter's Service, slice and export and the consumer's import and proxy slice.</summary>
    public static async Task<TcpBench> StartAsync(BenchTopology topology, IKubernetes exporter, IKubernetes consumer, string podIp, string exporterKey, CancellationToken cancellationToken)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Parse(podIp), 0));
        server.Listen(512);
        var bench = new TcpBench(server);
        const string ns = BenchTopology.Namespace;

        await exporter.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = ns },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "tcp", Port = ServicePort, TargetPort = bench.Pod.Port, Protocol = "TCP" }] },
        }, ns, cancellationToken: cancellationToken);
        await exporter.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = $"{Name}-pod", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = Name } },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "tcp", Port = bench.Pod.Port, Protocol = "TCP" }],
            Endpoints = [new V1Endpoint { Addresses = [podIp], Conditions = new V1EndpointConditions { Ready = true } }],
        }, ns, cancellationToken: cancellationToken);
        await exporter.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject { ["apiVersion"] = ServiceExportResource.GroupVersion, ["kind"] = "ServiceExport", ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = ns }, ["spec"] = new JsonObject() },
            ServiceExportResource.Group, ServiceExportResource.Version, ns, ServiceExportResource.Plural, cancellationToken: cancellationToken);

        await MemberObjects.ImportAsync(consumer, ns, Name, ServicePort, exporterKey, topology.GatewayAddress, "/" + Name, cancellationToken);
        var listener = FreeListenerPort(topology.Proxy.EndPoint.Address);
        await consumer.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{Name}-proxy",
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>
                {
                    [McsNames.KubernetesServiceNameLabel] = Name,
                    [McsNames.ManagedByLabel] = McsNames.ManagedBy,
                    [ProxyListeners.ImportKindLabel] = ProxyListeners.FlomeshKind,
                    [ProxyListeners.ImportNameLabel] = Name,
                },
                Annotations = new Dictionary<string, string> { [ProxyListeners.ListenersAnnotation] = ProxyListeners.Format([(listener, ServicePort)]) },
            },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "tcp", Port = listener, Protocol = "TCP" }],
            Endpoints = [new V1Endpoint { Addresses = [topology.Proxy.EndPoint.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
        }, ns, cancellationToken: cancellationToken);
        bench.Listener = new IPEndPoint(topology.Proxy.EndPoint.Address, listener);

        // The listener opens and the route reaches the pod.
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (!await PingAsync(bench.Listener, cancellationToken))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the proxy's listener {bench.Listener} did not reach the pod");
            }

            await Task.Delay(50, cancellationToken);
        }

        return bench;
    }

    /// <summary>Both paths, each measured in two rounds (floor, tunnel, tunnel, floor); Markdown.</summary>
    public async Task<string> RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var rows = new List<(string Path, string Shape, double Rate, string Unit, double CpuPerUnit, string CpuUnit)>();
        foreach (var (name, target) in new[] { ("floor: client → pod", Pod), ("tunnel: client → proxy listener → tunnel → gateway address → gateway → pod", Listener) })
        {
            await BulkAsync(target, TimeSpan.FromSeconds(1), cancellationToken);
            await ConnectionsAsync(target, TimeSpan.FromSeconds(1), cancellationToken);
        }

        var bulk = new Dictionary<string, (double Bytes, double Seconds, double Cpu)>();
        var connections = new Dictionary<string, (double Count, double Seconds, double Cpu)>();
        var paths = new[] { ("floor: client → pod", Pod), ("tunnel: client → proxy listener → tunnel → gateway address → gateway → pod", Listener) };
        for (var round = 0; round < 2; round++)
        {
            foreach (var (name, target) in round == 0 ? paths : paths.Reverse())
            {
                var b = await BulkAsync(target, duration, cancellationToken);
                var c = await ConnectionsAsync(target, duration, cancellationToken);
                bulk[name] = bulk.TryGetValue(name, out var pb) ? (pb.Bytes + b.Bytes, pb.Seconds + b.Seconds, pb.Cpu + b.Cpu) : b;
                connections[name] = connections.TryGetValue(name, out var pc) ? (pc.Count + c.Count, pc.Seconds + c.Seconds, pc.Cpu + c.Cpu) : c;
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"TCP ({duration.TotalSeconds:F0} s per path and shape, 2 rounds)");
        text.AppendLine();
        text.AppendLine("| Path | MB/s (4 connections) | CPU ms/MB | connections/s (16 clients, 1 byte each way) | CPU µs/connection | MB/s ÷ floor | conn/s ÷ floor |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        var floorBulk = bulk[paths[0].Item1];
        var floorConnections = connections[paths[0].Item1];
        foreach (var (name, _) in paths)
        {
            var (bytes, seconds, cpu) = bulk[name];
            var (count, cseconds, ccpu) = connections[name];
            var mbs = bytes / 1e6 / seconds;
            var cps = count / cseconds;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {mbs:F0} | {cpu * 1000 / (bytes / 1e6):F2} | {cps:F0} | {ccpu * 1e6 / count:F0} | {mbs / (floorBulk.Bytes / 1e6 / floorBulk.Seconds):F2} | {cps / (floorConnections.Count / floorConnections.Seconds):F2} |");
        }

        var tunnelBulk = bulk[paths[1].Item1];
        var ratio = tunnelBulk.Bytes / tunnelBulk.Seconds / (floorBulk.Bytes / floorBulk.Seconds);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| Target | Measured | Met |\n|---|---:|---|\n| tunnel MB/s ≥ 0.5 × floor | {ratio:F2} × | {(ratio >= 0.5 ? "yes" : "**no**")} |");
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Dispose();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    /// <summary>4 connections writing 64 KiB chunks for <paramref name="duration"/>: bytes the pod received, seconds, process CPU seconds.</summary>
    public async Task<(double Bytes, double Seconds, double Cpu)> BulkAsync(IPEndPoint target, TimeSpan duration, CancellationToken cancellationToken)
    {
        var before = Interlocked.Read(ref _received);
        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(duration);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(target, cancellationToken);
            await socket.SendAsync("b"u8.ToArray(), cancellationToken);
            var chunk = new byte[64 * 1024];
            try
            {
                while (!window.IsCancellationRequested)
                {
                    await socket.SendAsync(chunk, window.Token);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }, cancellationToken)));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var received = Interlocked.Read(ref _received) - before;
        return (received, seconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
    }

    private static async Task<(double Count, double Seconds, double Cpu)> ConnectionsAsync(IPEndPoint target, TimeSpan duration, CancellationToken cancellationToken)
    {
        var count = 0L;
        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                if (await PingAsync(target, cancellationToken))
                {
                    Interlocked.Increment(ref count);
                }
            }
        }, cancellationToken)));
        return (count, Stopwatch.GetElapsedTime(start).TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
    }

    // Connect, send "p", read the pod's one-byte answer, close.
    private static async Task<bool> PingAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(target, timeout.Token);
            await socket.SendAsync("p"u8.ToArray(), timeout.Token);
            var answer = new byte[1];
            return await socket.ReceiveAsync(answer, timeout.Token) == 1 && answer[0] == (byte)'o';
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // The pod: "p" first is a ping (answer "o", close); anything else is bulk (count and discard until the end).
    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _server.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (connection)
                {
                    var buffer = new byte[64 * 1024];
                    try
                    {
                        var first = await connection.ReceiveAsync(buffer.AsMemory(0, 1), _stop.Token);
                        if (first == 1 && buffer[0] == (byte)'p')
                        {
                            await connection.SendAsync("o"u8.ToArray(), _stop.Token);
                            return;
                        }

                        int read;
                        while ((read = await connection.ReceiveAsync(buffer, _stop.Token)) > 0)
                        {
                            Interlocked.Add(ref _received, read);
                        }
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    private static int FreeListenerPort(IPAddress address)
    {
        for (var port = ProxyListeners.DefaultFirstPort + Random.Shared.Next(5000); port <= ProxyListeners.DefaultLastPort; port++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free listener port in the proxy's range");
    }
}
